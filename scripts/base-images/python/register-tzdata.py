"""Registers Debian's zone data as the Python distribution "tzdata", for pip.

Debian's kombu (Celery's messaging library) declares a dependency on PyPI's "tzdata", which
Debian has no Python package for: its zone data is the tzdata .deb in /usr/share/zoneinfo,
where zoneinfo looks first. Without a "tzdata" distribution, pip would have to download one for
any requirements.txt that names celery. This writes its metadata only (no module), at the
version of Debian's tzdata in PyPI's numbering (2026f -> 2026.6), into /usr/local's
site-packages, which dpkg does not own. Run once at image build (python/Dockerfile).
"""
import pathlib
import re
import site
import subprocess

deb = subprocess.run(
    ["dpkg-query", "-W", "-f", "${Version}", "tzdata"], check=True, capture_output=True, text=True
).stdout
match = re.match(r"(\d{4})([a-z])", deb)
if not match:
    raise SystemExit(f"register-tzdata: cannot read a release like 2026f in tzdata {deb!r}")
year, letter = match.groups()
version = f"{year}.{ord(letter) - ord('a') + 1}"
info = pathlib.Path(site.getsitepackages()[0]) / f"tzdata-{version}.dist-info"
info.mkdir(parents=True)
(info / "METADATA").write_text(
    f"Metadata-Version: 2.1\nName: tzdata\nVersion: {version}\n"
    f"Summary: Debian's tzdata {deb} in /usr/share/zoneinfo, registered for pip\n"
)
(info / "INSTALLER").write_text("django-deploy\n")
(info / "RECORD").write_text("")
print(f"registered tzdata {version} for Debian's tzdata {deb} in {info}")
