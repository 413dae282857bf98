#!/usr/bin/env python3
"""Writes web/static/zips.tsv.gz, the ZIP table behind the New Lead form's ZIP suggestions.

Source: the `zipcodes` package on PyPI (MIT licence, https://github.com/seanpianka/zipcodes; its licence is copied
to web/static/zips.LICENSE.txt). Run once by hand when the table should be refreshed, never at build or run time:

    pip download zipcodes --no-deps -d /tmp/zipcodes && unzip -o /tmp/zipcodes/*.whl -d /tmp/zipcodes/pkg
    PYTHONPATH=/tmp/zipcodes/pkg python3 web/tools/zip_table.py

Kept: active STANDARD and PO BOX ZIPs of the states and territories Vigil offers (web/src/zip_table.rs reads it).
Format, one ZIP a line, sorted: `zip<TAB>city<TAB>state<TAB>county`; an empty state or county means "same as the
line before" (trailing tabs dropped), `-` means no county. Lines starting with `#` are comments.
"""
import gzip
import os

import zipcodes

STATES = set(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK "
    "OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI UM".split()
)

rows = sorted(
    (z for z in zipcodes.list_all() if z["active"] and z["state"] in STATES and z["zip_code_type"] in ("STANDARD", "PO BOX")),
    key=lambda z: z["zip_code"],
)
lines = [
    f"# US ZIP code -> city, state, county. From the zipcodes package {zipcodes.__version__} (PyPI, MIT licence, "
    "github.com/seanpianka/zipcodes; see zips.LICENSE.txt), by web/tools/zip_table.py.",
]
prev_state = prev_county = None
for z in rows:
    county = z["county"] or "-"
    state = z["state"] if z["state"] != prev_state else ""
    county_out = county if (county != prev_county or state) else ""
    lines.append("\t".join([z["zip_code"], z["city"], state, county_out]).rstrip("\t"))
    prev_state, prev_county = z["state"], county

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "static", "zips.tsv.gz")
data = ("\n".join(lines) + "\n").encode("utf-8")
with open(out, "wb") as f:
    # mtime=0 so the same data gives the same bytes.
    f.write(gzip.compress(data, compresslevel=9, mtime=0))
print(f"{len(rows)} ZIPs, {len(data)} bytes, {os.path.getsize(out)} gzipped -> {os.path.normpath(out)}")
