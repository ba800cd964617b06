package org.dicomlb.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made in the test: a self-signed CA and the server and client
 * certificates it issues, written as PEM files (certificate chain, PKCS#8 private key, CA bundle)
 * that dicomlb, DCMTK ({@code +tls KEY CERT}, {@code +cf CA}), curl and HAProxy all read.
 *
 * <p>Keys are RSA 2048 by default: the DICOM TLS profiles DCMTK 3.6.7 proposes by default
 * (Non-downgrading BCP 195) offer only RSA-authenticated suites over TLS 1.2. Signatures are
 * SHA-256 throughout, as the current profiles require. Nothing here is for production use.
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** What a certificate names: a subject CN and subject alternative names. */
    public record Names(String commonName, List<String> dns, List<String> ips, List<String> emails, List<String> uris) {
        public Names {
            dns = List.copyOf(dns);
            ips = List.copyOf(ips);
            emails = List.copyOf(emails);
            uris = List.copyOf(uris);
        }

        public static Names cn(String commonName) {
            return new Names(commonName, List.of(), List.of(), List.of(), List.of());
        }

        public Names dns(String... names) {
            return new Names(commonName, concat(dns, names), ips, emails, uris);
        }

        public Names ip(String... addresses) {
            return new Names(commonName, dns, concat(ips, addresses), emails, uris);
        }

        public Names email(String... addresses) {
            return new Names(commonName, dns, ips, concat(emails, addresses), uris);
        }

        public Names uri(String... values) {
            return new Names(commonName, dns, ips, emails, concat(uris, values));
        }

        private static List<String> concat(List<String> a, String[] b) {
            List<String> out = new ArrayList<>(a);
            out.addAll(List.of(b));
            return out;
        }
    }

    /** PEM files of one issued certificate: {@code chain} is the leaf then the CA. */
    public record Issued(Path certificate, Path chain, Path key, X509Certificate x509) {
    }

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final Path caFile;

    private TestPki(Path dir, String name, KeyPair caKeys, X509Certificate ca) {
        this.dir = dir;
        this.caKeys = caKeys;
        this.ca = ca;
        this.caFile = dir.resolve(name + "-ca.pem");
        writePem(caFile, List.of(ca));
    }

    /** A new CA named {@code name} (its CN), writing its files under {@code dir}. */
    public static TestPki create(Path dir, String name) {
        try {
            Files.createDirectories(dir);
            KeyPair keys = rsa();
            X500Name subject = new X500Name("CN=" + name + " test CA,O=dicomlb tests");
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minusSeconds(3600)),
                    Date.from(now.plus(Duration.ofDays(30))), subject, keys.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer(keys.getPrivate())));
            return new TestPki(dir, name, keys, cert);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a test CA", e);
        }
    }

    /** The CA certificate as a PEM file: the trust bundle for peers of certificates it issued. */
    public Path caFile() {
        return caFile;
    }

    public X509Certificate caCertificate() {
        return ca;
    }

    /** A TLS client context of the JDK's that trusts this CA alone (and presents no certificate). */
    public SSLContext trustingContext() {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, tmf.getTrustManagers(), null);
            return c;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make a TLS context trusting the test CA", e);
        }
    }

    /**
     * A TLS server context of the JDK's that presents {@code issued} (its key read back from the
     * PEM file): for test peers that must speak TLS to dicomlb as a backend.
     */
    public static SSLContext serverContext(Issued issued) {
        try {
            String pem = Files.readString(issued.key());
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
            PrivateKey key = KeyFactory.getInstance(issued.x509().getPublicKey().getAlgorithm())
                    .generatePrivate(new PKCS8EncodedKeySpec(der));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key, new char[0], new Certificate[] {issued.x509()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(kmf.getKeyManagers(), null, null);
            return c;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make a server TLS context for " + issued.certificate(), e);
        }
    }

    /** A server certificate (serverAuth and clientAuth usage) valid for a month. */
    public Issued server(String fileName, Names names) {
        return issue(fileName, names, Instant.now().minusSeconds(3600), Instant.now().plus(Duration.ofDays(30)), rsaKeys());
    }

    /** A client certificate; the same usages as a server's, so one certificate may serve both ends. */
    public Issued client(String fileName, Names names) {
        return server(fileName, names);
    }

    /** A certificate whose validity ended an hour ago. */
    public Issued expired(String fileName, Names names) {
        return issue(fileName, names, Instant.now().minus(Duration.ofDays(2)), Instant.now().minusSeconds(3600), rsaKeys());
    }

    /** A certificate with an EC P-256 key (ECDSA suites). */
    public Issued ec(String fileName, Names names) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return issue(fileName, names, Instant.now().minusSeconds(3600), Instant.now().plus(Duration.ofDays(30)), g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Issued issue(String fileName, Names names, Instant from, Instant until, KeyPair keys) {
        try {
            X500Name subject = new X500Name("CN=" + names.commonName() + ",O=dicomlb tests");
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                    serial(), Date.from(from), Date.from(until), subject, keys.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
            List<GeneralName> sans = new ArrayList<>();
            names.dns().forEach(n -> sans.add(new GeneralName(GeneralName.dNSName, n)));
            names.ips().forEach(n -> sans.add(new GeneralName(GeneralName.iPAddress, n)));
            names.emails().forEach(n -> sans.add(new GeneralName(GeneralName.rfc822Name, n)));
            names.uris().forEach(n -> sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, n)));
            if (!sans.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer(caKeys.getPrivate())));
            Path certFile = dir.resolve(fileName + ".crt");
            Path chainFile = dir.resolve(fileName + "-chain.crt");
            Path keyFile = dir.resolve(fileName + ".key");
            writePem(certFile, List.of(cert));
            writePem(chainFile, List.of(cert, ca));
            writePem(keyFile, List.of(keys.getPrivate()));
            return new Issued(certFile, chainFile, keyFile, cert);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a test certificate", e);
        }
    }

    /** A fresh RSA key pair written as a PKCS#8 PEM file, matching no certificate. */
    public Path strayKey(String fileName) {
        Path f = dir.resolve(fileName + ".key");
        writePem(f, List.of(rsaKeys().getPrivate()));
        return f;
    }

    private static KeyPair rsaKeys() {
        try {
            return rsa();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
        return new JcaContentSignerBuilder(key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA").build(key);
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    /** Certificates as "CERTIFICATE" blocks, private keys as PKCS#8 "PRIVATE KEY" blocks. */
    private static void writePem(Path file, List<Object> objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                if (o instanceof PrivateKey k) {
                    w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null));
                } else {
                    w.writeObject(o);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.writeString(file, out.toString(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
