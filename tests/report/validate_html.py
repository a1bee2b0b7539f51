#!/usr/bin/python3
"""Checks that an HTML report is well-formed and loads nothing, with the standard library only.

usage: validate_html.py DOCUMENT

Well-formed here means: a <!DOCTYPE html>, every non-void element closed in order (no end tag
without its start, none left open), no duplicate attributes, no duplicate ids. Loads nothing
means: no src/srcset/data/action/poster attribute, no href other than a fragment (#...), no
url( or @import in CSS, exactly one inline <script> without src.

Prints one line per error and exits 1 when there are any; otherwise prints JSON with the cell
texts (entities decoded, as a browser would show them) of every table with an id, so a test
can compare what a reader sees with what the report holds.
"""
import html.parser
import json
import sys

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
LOADING_ATTRIBUTES = {"src", "srcset", "data", "action", "poster", "formaction", "background"}


class Checker(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.errors = []
        self.stack = []
        self.ids = set()
        self.doctype = False
        self.scripts = 0
        self.tables = {}
        self.table = None  # id of the table being read
        self.row = None
        self.cell = None
        self.in_style = False

    def error_at(self, message):
        line, col = self.getpos()
        self.errors.append(f"line {line}:{col}: {message}")

    def handle_decl(self, decl):
        if decl.lower() == "doctype html":
            self.doctype = True
        else:
            self.error_at(f"unexpected declaration <!{decl}>")

    def unknown_decl(self, data):
        self.error_at(f"unknown declaration {data!r}")

    def handle_starttag(self, tag, attrs):
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.error_at(f"<{tag}> has a duplicate attribute: {names}")
        for name, value in attrs:
            if name in LOADING_ATTRIBUTES:
                self.error_at(f"<{tag}> has a loading attribute {name}={value!r}")
            if name == "href" and not (value or "").startswith("#"):
                self.error_at(f"<{tag}> links outside the document: href={value!r}")
            if name.startswith("on"):
                self.error_at(f"<{tag}> has an event handler attribute {name}")
            if name == "style" and "url(" in (value or "").lower():
                self.error_at(f"<{tag}> style loads a URL")
            if name == "id":
                if value in self.ids:
                    self.error_at(f"duplicate id {value!r}")
                self.ids.add(value)
        if tag == "script":
            self.scripts += 1
        if tag == "style":
            self.in_style = True
        if tag == "table":
            self.table = dict(attrs).get("id")
            if self.table is not None:
                self.tables[self.table] = []
        elif tag == "tr" and self.table is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        if tag not in VOID:
            self.error_at(f"self-closing non-void element <{tag}/>")
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            self.error_at(f"end tag for void element </{tag}>")
            return
        if not self.stack:
            self.error_at(f"</{tag}> with nothing open")
            return
        open_tag, (line, col) = self.stack[-1]
        if open_tag != tag:
            self.error_at(f"</{tag}> closes <{open_tag}> opened at line {line}:{col}")
            return
        self.stack.pop()
        if tag == "style":
            self.in_style = False
        if tag in ("td", "th") and self.cell is not None:
            self.row.append("".join(self.cell))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.table].append(self.row)
            self.row = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.in_style and ("url(" in data.lower() or "@import" in data.lower()):
            self.error_at("CSS loads a URL")
        if self.cell is not None:
            self.cell.append(data)


def main():
    with open(sys.argv[1], encoding="utf-8", errors="strict") as f:
        text = f.read()
    checker = Checker()
    checker.feed(text)
    checker.close()
    if not checker.doctype:
        checker.errors.append("no <!DOCTYPE html>")
    for tag, (line, col) in checker.stack:
        checker.errors.append(f"<{tag}> opened at line {line}:{col} is never closed")
    if checker.scripts != 1:
        checker.errors.append(f"{checker.scripts} <script> elements, expected exactly 1")
    for error in checker.errors:
        print(error)
    if checker.errors:
        return 1
    print(json.dumps({"tables": checker.tables}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
