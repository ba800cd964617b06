package org.dicomlb.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and private keys, with messages an operator can act on. Parsing is
 * the JDK's ({@link CertificateFactory}, {@link KeyFactory}); this class finds the blocks and
 * says what is wrong with a file: missing, unreadable, not PEM, an encrypted or legacy-format key,
 * a key that does not belong to the certificate.
 */
public final class Pem {
    /** Files larger than this are not certificates or keys (a mistaken path to a log or an image). */
    static final long MAX_FILE_BYTES = 1024 * 1024;
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");

    private Pem() {
    }

    /** Every certificate in {@code file}, in order (a chain: the leaf first). */
    public static List<X509Certificate> certificates(Path file) {
        String text = read(file);
        List<X509Certificate> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 support", e);
        }
        while (m.find()) {
            if (!m.group(1).equals("CERTIFICATE")) {
                if (m.group(1).contains("PRIVATE KEY")) {
                    throw new IllegalArgumentException(file + " holds a private key; certificates go in their own file");
                }
                continue;
            }
            byte[] der = decode(file, m.group(2));
            try {
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException e) {
                throw new IllegalArgumentException(file + ": certificate " + (out.size() + 1) + " cannot be read: "
                        + e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return List.copyOf(out);
    }

    /** The one unencrypted PKCS#8 private key in {@code file}. */
    public static PrivateKey privateKey(Path file) {
        String text = read(file);
        Matcher m = BLOCK.matcher(text);
        PrivateKey key = null;
        while (m.find()) {
            String type = m.group(1);
            switch (type) {
                case "PRIVATE KEY" -> {
                    if (key != null) {
                        throw new IllegalArgumentException(file + " holds more than one private key");
                    }
                    key = pkcs8(file, decode(file, m.group(2)));
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(file
                        + " holds an encrypted key, which dicomlb cannot use unattended; store it decrypted and readable"
                        + " by dicomlb only (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem; chmod 600)");
                case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY" -> throw new IllegalArgumentException(file
                        + " holds a " + type + " in the legacy format; convert it to PKCS#8"
                        + " (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem)");
                default -> {
                    // certificates or parameters next to the key are allowed and ignored
                }
            }
        }
        if (key == null) {
            throw new IllegalArgumentException(file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        return key;
    }

    /**
     * Fails unless {@code key} is the private half of {@code certificate}'s public key: a test
     * signature made with one must verify with the other.
     */
    public static void checkPair(PrivateKey key, X509Certificate certificate, Path keyFile, Path certificateFile) {
        PublicKey pub = certificate.getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> null;
        };
        if (algorithm == null || !pub.getAlgorithm().equals(key.getAlgorithm())
                && !(key.getAlgorithm().startsWith("Ed") && pub.getAlgorithm().startsWith("Ed"))) {
            throw new IllegalArgumentException("the key in " + keyFile + " (" + key.getAlgorithm()
                    + ") does not belong to the certificate in " + certificateFile + " (" + pub.getAlgorithm() + " key)");
        }
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                signer.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(probe);
            byte[] sig = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                verifier.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            verifier.initVerify(pub);
            verifier.update(probe);
            if (!verifier.verify(sig)) {
                throw new IllegalArgumentException("the key in " + keyFile + " does not belong to the certificate in "
                        + certificateFile + " (" + subject(certificate) + ")");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the key in " + keyFile + " does not belong to the certificate in "
                    + certificateFile + ": " + e.getMessage());
        }
    }

    /** Fails when {@code certificate} is not valid now (expired, or not yet valid). */
    public static void checkValidNow(X509Certificate certificate, Path file) {
        Instant now = Instant.now();
        if (now.isAfter(certificate.getNotAfter().toInstant())) {
            throw new IllegalArgumentException("the certificate in " + file + " (" + subject(certificate) + ") expired on "
                    + certificate.getNotAfter().toInstant());
        }
        if (now.isBefore(certificate.getNotBefore().toInstant())) {
            throw new IllegalArgumentException("the certificate in " + file + " (" + subject(certificate)
                    + ") is not valid before " + certificate.getNotBefore().toInstant());
        }
    }

    /** The innermost cause's message: what went wrong, not how deep it was wrapped. */
    static String rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + c + ")";
    }

    /** The subject as RFC 2253 text, for messages. */
    public static String subject(X509Certificate c) {
        return c.getSubjectX500Principal().getName();
    }

    private static String read(Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw new IllegalArgumentException(file + " is a directory, not a PEM file");
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IllegalArgumentException(file + " is larger than " + MAX_FILE_BYTES / 1024
                        + " KiB; it is not a PEM certificate or key file");
            }
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + " does not exist");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(file + " cannot be read: permission denied");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IllegalArgumentException(file + " is not a PEM file (it holds non-ASCII bytes; DER files are not read)");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " cannot be read: " + e.getMessage());
        }
    }

    private static byte[] decode(Path file, String base64) {
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": a PEM block is not valid base64");
        }
    }

    private static PrivateKey pkcs8(Path file, byte[] der) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm; try the next
            }
        }
        throw new IllegalArgumentException(file + " holds a private key dicomlb cannot read (RSA, EC and EdDSA PKCS#8 keys are)");
    }
}
