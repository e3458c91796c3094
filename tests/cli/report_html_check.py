# SPDX-License-Identifier: MIT
"""Checks of an HTML report as Chromium rendered it (python3 stdlib only).

  report_html_check.py marks DOM.html REPORT.json
      count the SVG marks of each chart in the DOM Chromium dumped and
      compare them (number and data-value) with the report's JSON data
  report_html_check.py png SHOT.png
      decode the screenshot (zlib + PNG filters) and check that it is not
      blank: enough non-white pixels, several colours, the bar colour
Prints one line per problem; exit status 1 when there is any.
"""
import html.parser
import json
import struct
import sys
import zlib


class Marks(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.svg = None
        self.marks = {}
        self.external = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href"):
            if k in a:
                self.external.append("%s %s=%s" % (tag, k, a[k]))
        if tag == "link" or tag == "script":
            self.external.append(tag)
        if tag == "svg":
            self.svg = a.get("id")
            self.marks.setdefault(self.svg, [])
        elif self.svg and tag in ("rect", "circle") and \
                a.get("class") in ("bar", "point"):
            self.marks[self.svg].append(float(a["data-value"]))

    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg = None


def marks(dom_path, report_path):
    p = Marks()
    p.feed(open(dom_path, encoding="utf-8").read())
    r = json.load(open(report_path))
    errs = list("external resource: " + e for e in p.external)
    days = r["days"]
    want = {
        "chart-executions": [d["executions"] for d in days],
        "chart-success": [d["success_rate"] for d in days
                          if d["success_rate"] is not None],
        "chart-quality": [b["count"] for b in r["quality"]["distribution"]],
    }
    for chart, values in want.items():
        got = p.marks.get(chart)
        if got is None:
            errs.append("%s: no such chart" % chart)
        elif len(got) != len(values) or any(
                abs(g - v) > 1e-6 for g, v in zip(got, values)):
            errs.append("%s: marks %r, data %r" % (chart, got, values))
        elif not any(values):
            errs.append("%s: the data is all zero (a weak test)" % chart)
    # the duration chart fills empty buckets with zero bars: its non-zero
    # bars are the histogram's buckets, and they add up to the count
    got = [v for v in p.marks.get("chart-duration", []) if v > 0]
    hist = [b["count"] for b in r["duration_histogram"]]
    if got != hist or sum(got) != r["duration_ms"]["count"]:
        errs.append("chart-duration: bars %r, histogram %r" % (got, hist))
    return errs


def png_pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                raise ValueError("unsupported PNG %d/%d" % (depth, ctype))
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def png(path):
    w, h, bpp, rows = png_pixels(path)
    colours, non_white, bar = set(), 0, 0
    for line in rows:
        for x in range(0, w * bpp, bpp):
            px = (line[x], line[x + 1], line[x + 2])
            colours.add(px)
            if px != (255, 255, 255):
                non_white += 1
            if abs(px[0] - 0x4a) < 8 and abs(px[1] - 0x78) < 8 and \
                    abs(px[2] - 0xb0) < 8:
                bar += 1
    errs = []
    if non_white < w * h // 50:
        errs.append("blank: %d non-white pixels of %d" % (non_white, w * h))
    if len(colours) < 16:
        errs.append("only %d colours" % len(colours))
    if bar < 2000:
        errs.append("only %d pixels of the bar colour" % bar)
    return errs


def main():
    errs = marks(sys.argv[2], sys.argv[3]) if sys.argv[1] == "marks" \
        else png(sys.argv[2])
    for e in errs:
        print(e)
    sys.exit(1 if errs else 0)


if __name__ == "__main__":
    main()
