#!/usr/bin/env python3
"""Regenerate src/cli/report_page.h from src/cli/report_page.html: the page
of `pdp report` split at the @@DATA@@ line into two C string constants."""
import os
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
src = open(os.path.join(root, "src/cli/report_page.html")).read()
head, tail = src.split("@@DATA@@\n")


def c_literal(s):
    lines = s.split("\n")
    return "\n\t".join('"' + l.replace("\\", "\\\\").replace('"', '\\"') + '\\n"'
                       for l in lines)


out = """/*
 * report_page.h - the HTML page of `pdp report` around its JSON data,
 * generated from report_page.html by tools/gen-report-page.py (edit the
 * .html, then run the script).
 */
#ifndef PDP_CLI_REPORT_PAGE_H
#define PDP_CLI_REPORT_PAGE_H

static const char REPORT_PAGE_HEAD[] =
\t%s;

static const char REPORT_PAGE_TAIL[] =
\t%s;

#endif
""" % (c_literal(head), c_literal(tail.rstrip("\n")))
open(os.path.join(root, "src/cli/report_page.h"), "w").write(out)
sys.exit(0)
