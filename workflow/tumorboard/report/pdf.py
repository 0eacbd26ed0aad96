"""The report as a reader sees it: the PDF (WeasyPrint), page images (pdftoppm, headless
Chromium) and the proof that opening the report makes no network request (Chromium's NetLog).

PDF: WeasyPrint lays out the self-contained HTML report with an extra print stylesheet (A4, page
numbers, the research-use banner on every page).  Its URL fetcher accepts only ``data:`` URLs and
stops on anything else, so a report that refers to an external resource fails loudly instead of
being fetched.  WeasyPrint draws the report's inline SVG figures natively.

Browser: Chromium (Debian package ``chromium``) runs headless with a throw-away profile, writes a
screenshot and a NetLog.  Every request it logs is classified: the page's own requests (anything
but ``file:``/``data:``) must be none; Chromium's own background requests (component updater,
account checks; initiator "not an origin", not isolated to the page) are reported apart.  Host
resolution is mapped to "not found" and the proxy to a closed loopback port, so no packet leaves
the machine whatever the page or the browser tries.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PRINT_CSS = """
@page {
  size: A4;
  margin: 16mm 12mm 16mm 12mm;
  @top-center {
    content: "Research use only \\2014  not for clinical decision-making";
    font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt; font-weight: bold;
  }
  @bottom-left {
    content: string(report-title);
    font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt;
  }
  @bottom-right {
    content: "page " counter(page) " of " counter(pages);
    font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt;
  }
}
@page :first { @top-center { content: none; } }
html, body { font-family: "DejaVu Sans", sans-serif; }
body { font-size: 8.5pt; max-width: none; margin: 0; padding: 0; }
h1 { string-set: report-title content(text); font-size: 14pt; }
h2 { font-size: 11pt; break-after: avoid; }
h3 { font-size: 9.5pt; break-after: avoid; }
table { font-size: 7pt; break-inside: auto; }
thead { display: table-header-group; }
tr, li, figure { break-inside: avoid; }
th, td { padding: 0.15rem 0.3rem; }
.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 6.5pt;
        word-break: normal; overflow-wrap: anywhere; }
figure svg { max-width: 100%; height: auto; }
"""

CHROMIUM = "chromium"
# The flags the issue asks for, plus: a closed proxy and unresolvable hosts (nothing leaves the
# machine), and fewer of Chromium's own background requests.  Chromium keeps its sandbox
# (chromium_flags adds --no-sandbox only where it cannot have one).
CHROMIUM_FLAGS = [
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--no-pings",
    "--hide-scrollbars",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
]
LOCAL_SCHEMES = ("file:", "data:")
# set to 1 on a host whose kernel offers Chromium no sandbox (no unprivileged user namespaces)
NO_SANDBOX_ENV = "TUMORBOARD_CHROMIUM_NO_SANDBOX"


def chromium_flags(euid: int | None = None, environ: dict | None = None) -> list[str]:
    """Chromium's command-line flags.  The sandbox stays on, except (``--no-sandbox``):

    * as root: Chromium refuses to start as root with its sandbox (its sandbox rests on dropping
      privileges root keeps), so ``make demo`` run as root, as the README's install step allows,
      needs the flag.  What the browser opens there is the workflow's own report: a local file,
      no script, a Content-Security-Policy that forbids every request, every host unresolvable
      and the proxy a closed port; run as an ordinary user to keep the sandbox anyway;
    * when ``TUMORBOARD_CHROMIUM_NO_SANDBOX=1`` says the host cannot give an ordinary user one
      (containers without unprivileged user namespaces: Chromium stops with "No usable
      sandbox")."""
    euid = os.geteuid() if euid is None else euid
    environ = os.environ if environ is None else environ
    no_sandbox = euid == 0 or environ.get(NO_SANDBOX_ENV) == "1"
    return [*CHROMIUM_FLAGS, *(["--no-sandbox"] if no_sandbox else [])]


class RenderError(RuntimeError):
    """A PDF or a screenshot could not be made; the message says why."""


# --------------------------------------------------------------------------- PDF


def _fetcher():
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def html_to_pdf(html_path: str | Path, pdf_path: str | Path) -> int:
    """Write the PDF of the HTML report; returns its number of pages."""
    import weasyprint

    html = Path(html_path).read_text(encoding="utf-8")
    try:
        document = weasyprint.HTML(string=html, url_fetcher=_fetcher()).render(
            stylesheets=[weasyprint.CSS(string=PRINT_CSS)]
        )
    except weasyprint.urls.FatalURLFetchingError as exc:
        raise RenderError(f"{html_path}: refers to an external resource ({exc})") from None
    out = Path(pdf_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    # a fixed identifier keeps the PDF byte-identical for the same HTML
    document.write_pdf(out, pdf_identifier=b"tumorboard-report")
    return len(document.pages)


def _run(cmd: list[str], timeout: int = 120) -> subprocess.CompletedProcess:
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise RenderError(f"{cmd[0]} not found (see workflow/setup/install.sh)") from None
    except subprocess.TimeoutExpired:
        raise RenderError(f"{cmd[0]} did not finish within {timeout} s") from None
    if res.returncode != 0:
        raise RenderError(f"{' '.join(cmd)} failed ({res.returncode}): {res.stderr[-2000:]}")
    return res


def pdf_page_png(pdf_path: str | Path, png_path: str | Path, page: int = 1, dpi: int = 110) -> None:
    """One page of the PDF as a PNG (pdftoppm)."""
    png = Path(png_path)
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=png.parent) as tmp:
        stem = Path(tmp) / "page"  # pdftoppm -singlefile writes <stem>.png
        _run(
            [
                "pdftoppm",
                *("-f", str(page), "-l", str(page), "-r", str(dpi)),
                *("-png", "-singlefile", str(pdf_path), str(stem)),
            ]
        )
        shutil.move(stem.with_suffix(".png"), png)


# --------------------------------------------------------------------------- browser


@dataclass
class Request:
    url: str
    initiator: str | None
    isolation_key: str | None

    @property
    def from_browser(self) -> bool:
        """Chromium's own request (updater, account check): not made by any document, and not
        isolated to a file:// page."""
        return self.initiator == "not an origin" and "file://" not in (self.isolation_key or "")


def load_netlog(path: str | Path) -> dict:
    """Chromium's NetLog JSON; a log cut short (browser killed) is closed before parsing."""
    raw = Path(path).read_text(encoding="utf-8", errors="replace")
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return json.loads(raw.rstrip().rstrip(",") + "]}")


def netlog_requests(netlog: dict) -> list[Request]:
    """Every URL request the NetLog records, one per request (its first URL)."""
    consts = netlog["constants"]
    event_name = {v: k for k, v in consts["logEventTypes"].items()}
    url_request = consts["logSourceType"]["URL_REQUEST"]
    found: dict[int, Request] = {}
    for event in netlog.get("events", []):
        if event["source"]["type"] != url_request:
            continue
        params = event.get("params") or {}
        req = found.setdefault(event["source"]["id"], Request("", None, None))
        if params.get("url") and not req.url:
            req.url = params["url"]
        if event_name.get(event["type"]) == "URL_REQUEST_START_JOB":
            req.initiator = params.get("initiator", req.initiator)
            req.isolation_key = params.get("network_isolation_key", req.isolation_key)
    return [r for r in found.values() if r.url]


def page_requests(netlog: dict) -> list[Request]:
    """Requests the page attempted to anything but file: and data: URLs (must be none)."""
    return [
        r
        for r in netlog_requests(netlog)
        if not r.url.startswith(LOCAL_SCHEMES) and not r.from_browser
    ]


def browser_requests(netlog: dict) -> list[Request]:
    """Chromium's own background requests (contained: no host resolves)."""
    return [r for r in netlog_requests(netlog) if r.from_browser]


def browser_screenshot(
    html_path: str | Path,
    png_path: str | Path,
    netlog_path: str | Path,
    window: tuple[int, int] = (1280, 2000),
    virtual_time_ms: int | None = None,
    timeout: int = 180,
) -> dict:
    """Open the HTML file in headless Chromium, write a screenshot of the window and a NetLog.
    Returns {"page_requests": [...], "browser_requests": [...]} (URLs)."""
    html, png, netlog = Path(html_path).resolve(), Path(png_path), Path(netlog_path)
    png.parent.mkdir(parents=True, exist_ok=True)
    netlog.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="tumorboard-chromium-") as profile:
        cmd = [
            CHROMIUM,
            *chromium_flags(),
            f"--user-data-dir={profile}",
            f"--log-net-log={netlog.resolve()}",
            f"--screenshot={png.resolve()}",
            f"--window-size={window[0]},{window[1]}",
        ]
        if virtual_time_ms:
            cmd.append(f"--virtual-time-budget={virtual_time_ms}")
        try:
            _run([*cmd, html.as_uri()], timeout=timeout)
        except RenderError as exc:
            if "No usable sandbox" in str(exc):
                raise RenderError(
                    f"Chromium found no usable sandbox on this host (unprivileged user "
                    f"namespaces disabled?): enable them, or set {NO_SANDBOX_ENV}=1 to run it "
                    f"without one (README, Security and privacy)"
                ) from None
            raise
    if not png.is_file() or png.stat().st_size == 0:
        raise RenderError(f"Chromium wrote no screenshot of {html}")
    log = load_netlog(netlog)
    return {
        "page_requests": [r.url for r in page_requests(log)],
        "browser_requests": [r.url for r in browser_requests(log)],
    }


# --------------------------------------------------------------------------- both page images


def screenshots(
    html: str | Path, pdf: str | Path, html_png: str | Path, pdf_png: str | Path, netlog: str | Path
) -> dict:
    """Page 1 of the report as a reader sees it, in the browser and in the PDF.  Raises
    RenderError when the page attempted a network request."""
    result = browser_screenshot(html, html_png, netlog)
    if result["page_requests"]:
        raise RenderError(
            f"{html} attempted network request(s): {', '.join(result['page_requests'])}"
        )
    pdf_page_png(pdf, pdf_png, page=1)
    return result
