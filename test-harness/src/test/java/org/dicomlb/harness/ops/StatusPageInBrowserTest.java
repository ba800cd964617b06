package org.dicomlb.harness.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.dicomlb.cli.Appliance;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.engine.access.AccessLog;
import org.dicomlb.harness.peers.Binaries;
import org.dicomlb.harness.peers.StoreScp;
import org.dicomlb.testkit.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page as the NOC sees it, in a real browser: Debian's headless Chromium, driven by
 * Selenium through Debian's chromedriver (no browser or driver is downloaded). The page shows the
 * pools; a backend's storescp is killed and the page, left alone, shows that backend down.
 * A screenshot goes to {@code target/status-page.png}.
 *
 * <p>Addresses: the appliance (admin listener without a token, so loopback only; a dicom and a
 * tcp listener; the GSLB) on 127.0.0.1; both storescp archives listen on their own ports and are
 * reached at 127.0.0.1. Chromium talks only to the admin listener: its background networking,
 * component updates and sync are off.
 */
class StatusPageInBrowserTest {
    private static final Path SCREENSHOT = Path.of("target", "status-page.png");

    @TempDir
    Path work;

    @Test
    @Timeout(120)
    void thePageShowsThePoolsAndABackendGoingDownWithoutAReload() throws Exception {
        Path chromium = Binaries.find("chromium", "chromium");
        Path chromedriver = Binaries.find("chromedriver", "chromium-driver");
        int admin = Ports.free("127.0.0.1");
        int dicom = Ports.free("127.0.0.1");
        int tcp = Ports.free("127.0.0.1");
        int dns = Ports.free("127.0.0.1");
        try (StoreScp a = StoreScp.start(StoreScp.Options.of("ARCHIVE_A", Files.createDirectories(work.resolve("a"))).forking());
             StoreScp b = StoreScp.start(StoreScp.Options.of("ARCHIVE_B", Files.createDirectories(work.resolve("b"))).forking())) {
            Path config = work.resolve("dicomlb.yaml");
            Files.writeString(config, """
                    admin: { listen: 127.0.0.1:%d }
                    listeners:
                      - { name: dicom, bind: 127.0.0.1:%d, mode: dicom, pool: archive }
                      - { name: hl7, bind: 127.0.0.1:%d, mode: tcp, pool: archive }
                    pools:
                      - name: archive
                        balance: leastconn
                        health-check: { type: dicom-echo, called-ae: ARCHIVE, interval: 500ms, fast-interval: 200ms,
                                        timeout: 400ms, rise: 1, fall: 2 }
                        backends:
                          - { name: arch-a, address: 127.0.0.1:%d }
                          - { name: arch-b, address: 127.0.0.1:%d }
                    gslb:
                      listen: 127.0.0.1:%d
                      zones:
                        - { name: dicom.example.org, nameservers: [{ name: ns1.dicom.example.org, address: 127.0.0.1 }] }
                      names:
                        - name: dicom.example.org
                          members:
                            - { name: site-a, address: 127.0.1.1, pool: archive }
                    """.formatted(admin, dicom, tcp, a.port(), b.port(), dns));
            try (Appliance app = Appliance.start(config, RootConfigReader.load(config), new Appliance.Options(1, true),
                    AccessLog.toLogger())) {
                WebDriver browser = chrome(chromium, chromedriver);
                try {
                    browser.get("http://127.0.0.1:" + admin + "/");
                    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20), Duration.ofMillis(100));
                    wait.ignoring(StaleElementReferenceException.class);
                    wait.until(d -> health(d, "archive/arch-a").equals("up") && health(d, "archive/arch-b").equals("up"));
                    assertThat(browser.getTitle()).isEqualTo("dicomlb status");
                    assertThat(browser.findElements(By.cssSelector("h3[data-pool='archive']"))).hasSize(1);
                    assertThat(browser.findElement(By.id("listeners")).getText()).contains("dicom", "hl7", "127.0.0.1:" + dicom);
                    assertThat(browser.findElement(By.id("gslb")).getText()).contains("dicom.example.org", "site-a");
                    // A mark in the page's own state: it survives only if the page is never reloaded.
                    ((JavascriptExecutor) browser).executeScript("window.dicomlbTestMark = 'still here';");

                    a.close();
                    wait.until(d -> health(d, "archive/arch-a").equals("down"));
                    assertThat(((JavascriptExecutor) browser).executeScript("return window.dicomlbTestMark;"))
                            .as("the page updated itself, no reload").isEqualTo("still here");
                    assertThat(health(browser, "archive/arch-b")).isEqualTo("up");
                    String row = text(browser, By.cssSelector("tr[data-backend='archive/arch-a']"));
                    assertThat(row).as("the reason is shown next to the state").containsIgnoringCase("refused");
                    wait.until(d -> text(d, By.id("events")).contains("archive/arch-a"));
                    assertThat(text(browser, By.id("refresh"))).startsWith("updated ");

                    Files.createDirectories(SCREENSHOT.getParent());
                    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
                    Files.copy(shot.toPath(), SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
                    assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);
                } finally {
                    browser.quit();
                }
            }
        }
    }

    /**
     * With an admin token the page shows nothing until the token is entered; a wrong one is
     * refused; the right one is kept for the tab (a reload still shows the status) and forgotten
     * on request.
     */
    @Test
    @Timeout(90)
    void withATokenThePageShowsStatusOnlyOnceTheTokenIsEntered() throws Exception {
        Path chromium = Binaries.find("chromium", "chromium");
        Path chromedriver = Binaries.find("chromedriver", "chromium-driver");
        int admin = Ports.free("127.0.0.1");
        int tcp = Ports.free("127.0.0.1");
        String token = "page-token-0123456789abcdef";
        Path tokenFile = Files.writeString(work.resolve("admin.token"), token + "\n");
        Files.setPosixFilePermissions(tokenFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path config = work.resolve("dicomlb.yaml");
        Files.writeString(config, """
                admin: { listen: 127.0.0.1:%d, token-file: %s }
                listeners:
                  - { name: front, bind: 127.0.0.1:%d, pool: web }
                pools:
                  - name: web
                    health-check: none
                    backends: [{ name: w1, address: 127.0.0.1:9 }]
                """.formatted(admin, tokenFile, tcp));
        try (Appliance app = Appliance.start(config, RootConfigReader.load(config), new Appliance.Options(1, true),
                AccessLog.toLogger())) {
            WebDriver browser = chrome(chromium, chromedriver);
            try {
                browser.get("http://127.0.0.1:" + admin + "/");
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20), Duration.ofMillis(100));
                wait.ignoring(StaleElementReferenceException.class);
                wait.until(d -> d.findElement(By.id("refresh")).getText().equals("admin token needed"));
                assertThat(browser.findElement(By.id("message")).getText()).contains("needs its admin token");
                assertThat(browser.findElements(By.cssSelector("tr[data-backend]"))).isEmpty();

                enterToken(browser, "wrong-token-0123456789");
                wait.until(d -> d.findElement(By.id("message")).getText().contains("was refused"));
                assertThat(browser.findElements(By.cssSelector("tr[data-backend]"))).isEmpty();

                enterToken(browser, token);
                wait.until(d -> !d.findElements(By.cssSelector("tr[data-backend='web/w1']")).isEmpty());
                browser.navigate().refresh();
                wait.until(d -> !d.findElements(By.cssSelector("tr[data-backend='web/w1']")).isEmpty());
                assertThat(((JavascriptExecutor) browser).executeScript("return document.cookie;")).isEqualTo("");

                browser.findElement(By.id("token-toggle")).click();
                browser.findElement(By.id("token-forget")).click();
                wait.until(d -> d.findElement(By.id("refresh")).getText().equals("admin token needed"));
            } finally {
                browser.quit();
            }
        }
    }

    private static void enterToken(WebDriver browser, String token) {
        if (!browser.findElement(By.id("token")).isDisplayed()) {
            browser.findElement(By.id("token-toggle")).click();
        }
        browser.findElement(By.id("token")).clear();
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.cssSelector("#token-form button[type=submit]")).click();
    }

    private static String health(WebDriver d, String backend) {
        return text(d, By.cssSelector("tr[data-backend='" + backend + "'] td.health")).strip();
    }

    /**
     * The text of the first element {@code by} finds, "" when there is none. The page re-renders
     * its tables on every poll, so an element found a moment ago may be gone when its text is read
     * (a CI run failed on that): read again.
     */
    private static String text(WebDriver d, By by) {
        StaleElementReferenceException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                List<org.openqa.selenium.WebElement> found = d.findElements(by);
                return found.isEmpty() ? "" : found.getFirst().getText();
            } catch (StaleElementReferenceException e) {
                last = e;
            }
        }
        throw last;
    }

    private WebDriver chrome(Path chromium, Path chromedriver) throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1100",
                "--user-data-dir=" + Files.createDirectories(work.resolve("chromium-profile")));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingPort(Ports.free("127.0.0.1"))
                .build();
        return new ChromeDriver(service, options);
    }
}
