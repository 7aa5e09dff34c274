#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks that every option requested by config fragments survived `make olddefconfig`.

olddefconfig silently drops an option whose dependencies are not met, forces on an option that
something else selects, and ignores options that no longer exist. This script compares the
final .config with the requested options and, for each one that did not survive, explains why
from the kernel's own Kconfig files: the unmet `depends on` expression with each of its symbols
evaluated against the .config, the option that selects it, the range it fell outside of, or
that the option does not exist in this kernel.

Both clouds run it (the local build and the cloud image builders), so it needs python3 and its
standard library only.

    verify-config.py --config BUILD/.config --srctree SRC [--arch x86] FRAGMENT...

Prints a JSON report on stdout. Exit status: 0 every option survived, 1 some were dropped,
2 bad usage or unreadable input.

    verify-config.py --config BUILD/.config --srctree SRC --list OPTIONS --flavor NAME

checks an option list (lines `CONFIG_X=value flavor`, flavor `all` or a flavor's name)
against a flavor's final .config instead: each option is present, or explained. An option of
this flavor may be absent only when it cannot be present (gone from the kernel, or held off by
a dependency no fragment can set); an option of another flavor is explained either way (KCSAN
in a KASAN kernel). Exit status 1 when an option of this flavor is absent and could be present.
"""

import argparse
import glob
import json
import os
import re
import sys

TRISTATE = {"n": 0, "m": 1, "y": 2}
KEYWORDS_ENTRY = ("config", "menuconfig")
SYMBOL_RE = re.compile(r"^[A-Za-z0-9_]+$")
FRAGMENT_SET_RE = re.compile(r"^CONFIG_([A-Za-z0-9_]+)=(.*)$")
FRAGMENT_UNSET_RE = re.compile(r"^#\s*CONFIG_([A-Za-z0-9_]+) is not set\s*$")
LIST_RE = re.compile(r"^CONFIG_([A-Za-z0-9_]+)=(\S+)\s+([A-Za-z0-9_-]+)\s*$")
MACRO_LINE_RE = re.compile(r"^[A-Za-z0-9_-]+\s*(:=|\+=|=)")


class UsageError(Exception):
    """Bad command line or unreadable input."""


# --- .config and fragments -------------------------------------------------------------------

def parse_value(raw):
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
        return raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return raw


def read_config(path):
    """Symbol -> value ('y', 'm', a string or number); options not set are absent."""
    values = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = FRAGMENT_SET_RE.match(line.rstrip("\n"))
                if m:
                    values[m.group(1)] = parse_value(m.group(2))
    except OSError as e:
        raise UsageError("cannot read the .config %s: %s" % (path, e))
    return values


def read_fragments(paths):
    """Requested options in order; a later fragment overrides an earlier one, as in kconfig."""
    requested = {}
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except OSError as e:
            raise UsageError("cannot read the fragment %s: %s" % (path, e))
        for number, line in enumerate(lines, 1):
            line = line.strip()
            m = FRAGMENT_SET_RE.match(line)
            if m:
                value = parse_value(m.group(2))
            else:
                m = FRAGMENT_UNSET_RE.match(line)
                if not m:
                    if line and not line.startswith("#"):
                        raise UsageError("%s:%d: not a config line: %r (use CONFIG_X=y or '# CONFIG_X is not set')" % (path, number, line))
                    continue
                value = "n"
            requested[m.group(1)] = {"value": value, "where": "%s:%d" % (path, number)}
    return requested


# --- Kconfig expressions ---------------------------------------------------------------------

TOKEN_RE = re.compile(r'\s*(\$\(|&&|\|\||!=|<=|>=|[()!=<>]|"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_.+-]+)')


def tokenize(text):
    tokens = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = TOKEN_RE.match(text, pos)
        if not m:
            raise ValueError("cannot parse %r" % text[pos:])
        tok = m.group(1)
        pos = m.end()
        if tok == "$(":
            # A Kconfig macro call: kept whole, its value is known only to the kernel's tools.
            depth = 1
            start = pos - 2
            while pos < len(text) and depth:
                if text[pos] == "(":
                    depth += 1
                elif text[pos] == ")":
                    depth -= 1
                pos += 1
            tokens.append(("macro", text[start:pos]))
        else:
            tokens.append(("tok", tok))
    return tokens


class Parser:
    """Recursive descent over: expr := and ('||' and)*; and := unary ('&&' unary)*; ..."""

    def __init__(self, text):
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self):
        return self.tokens[self.i][1] if self.i < len(self.tokens) else None

    def take(self):
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self):
        node = self.parse_or()
        if self.i != len(self.tokens):
            raise ValueError("unexpected %r" % self.peek())
        return node

    def parse_or(self):
        node = self.parse_and()
        while self.peek() == "||":
            self.take()
            node = ("or", node, self.parse_and())
        return node

    def parse_and(self):
        node = self.parse_unary()
        while self.peek() == "&&":
            self.take()
            node = ("and", node, self.parse_unary())
        return node

    def parse_unary(self):
        if self.peek() == "!":
            self.take()
            return ("not", self.parse_unary())
        if self.peek() == "(":
            self.take()
            node = self.parse_or()
            if self.peek() != ")":
                raise ValueError("missing )")
            self.take()
            return node
        kind, tok = self.take()
        left = ("macro", tok) if kind == "macro" else ("sym", tok)
        if self.peek() in ("=", "!=", "<", ">", "<=", ">="):
            op = self.take()[1]
            kind, tok = self.take()
            right = ("macro", tok) if kind == "macro" else ("sym", tok)
            return ("cmp", op, left, right)
        return left


def parse_expr(text):
    try:
        return Parser(text).parse()
    except (ValueError, IndexError):
        return ("macro", text)


def split_conjuncts(node):
    if node[0] == "and":
        return split_conjuncts(node[1]) + split_conjuncts(node[2])
    return [node]


def show(node, top=True):
    kind = node[0]
    if kind == "sym" or kind == "macro":
        return node[1]
    if kind == "not":
        return "!" + show(node[1], False)
    if kind == "cmp":
        return "%s%s%s" % (show(node[2], False), node[1], show(node[3], False))
    op = " && " if kind == "and" else " || "
    text = show(node[1], False) + op + show(node[2], False)
    return text if top else "(" + text + ")"


class Evaluator:
    def __init__(self, values, kconfig):
        self.values = values
        self.kconfig = kconfig

    def symbol_value(self, name):
        """The value as written in the .config; 'n' for an unset bool/tristate."""
        if name in self.values:
            return self.values[name]
        return "n" if self.kconfig.type_of(name) in (None, "bool", "tristate") else ""

    def raw(self, node):
        """The value of a comparison operand: a symbol's value or a literal."""
        if node[0] == "macro":
            return None
        tok = node[1]
        if tok[:1] in ('"', "'"):
            return tok[1:-1]
        return self.symbol_value(tok) if self.kconfig.defined(tok) else tok

    def tristate(self, node):
        """0, 1 or 2; a macro (evaluated by the kernel's tools, not here) counts as met."""
        kind = node[0]
        if kind == "macro":
            return 2
        if kind == "sym":
            tok = node[1]
            if tok == "m":
                return 1 if self.values.get("MODULES") == "y" else 0
            if tok in ("y", "n"):
                return TRISTATE[tok]
            return TRISTATE.get(self.symbol_value(tok), 0)
        if kind == "not":
            return 2 - self.tristate(node[1])
        if kind == "and":
            return min(self.tristate(node[1]), self.tristate(node[2]))
        if kind == "or":
            return max(self.tristate(node[1]), self.tristate(node[2]))
        if kind == "cmp":
            a, b = self.raw(node[2]), self.raw(node[3])
            if a is None or b is None:
                return 2
            return 2 if compare(node[1], a, b) else 0
        return 0

    def symbols(self, node, out):
        kind = node[0]
        if kind == "sym":
            tok = node[1]
            if self.kconfig.defined(tok):
                out.setdefault(tok, self.symbol_value(tok))
        elif kind in ("not",):
            self.symbols(node[1], out)
        elif kind in ("and", "or"):
            self.symbols(node[1], out)
            self.symbols(node[2], out)
        elif kind == "cmp":
            self.symbols(node[2], out)
            self.symbols(node[3], out)
        return out


def to_number(v):
    try:
        return int(v, 0)
    except (TypeError, ValueError):
        return None


def compare(op, a, b):
    na, nb = to_number(a), to_number(b)
    if na is not None and nb is not None:
        a, b = na, nb
    elif a in TRISTATE and b in TRISTATE:
        a, b = TRISTATE[a], TRISTATE[b]
    return {
        "=": a == b, "!=": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b,
    }[op]


# --- Kconfig files ---------------------------------------------------------------------------

class Definition:
    """One `config`/`menuconfig` entry of a symbol (a symbol may have several)."""

    def __init__(self, name, where, inherited, choice):
        self.name = name
        self.where = where
        self.type = None
        self.prompt = None  # condition text of the prompt, "" when unconditional; None: no prompt
        self.depends = []  # (label, expression text, where)
        self.inherited = list(inherited)
        self.choice = choice
        self.ranges = []  # (low, high, condition)


class Kconfig:
    def __init__(self, srctree, arch):
        self.srctree = srctree
        self.arch = arch
        self.defs = {}
        self.selects = {}  # target -> [(owner, condition, where)]
        self.choices = {}  # choice id -> [member names]
        self.files = 0

    def defined(self, name):
        return name in self.defs

    def type_of(self, name):
        for d in self.defs.get(name, ()):
            if d.type:
                return d.type
        return None

    def load(self, path):
        self.parse_file(path, [])

    def resolve(self, name, current, relative):
        name = name.replace("$(SRCARCH)", self.arch).replace("$(ARCH)", self.arch)
        if "$(" in name:
            return []
        base = os.path.dirname(current) if relative else self.srctree
        return sorted(glob.glob(os.path.join(base, name)))

    def parse_file(self, path, stack):
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                raw_lines = f.read().split("\n")
        except OSError:
            return
        self.files += 1
        rel = os.path.relpath(path, self.srctree)
        # Join continuation lines, remembering where each logical line starts.
        lines = []
        i = 0
        while i < len(raw_lines):
            start = i
            line = raw_lines[i]
            while line.endswith("\\") and i + 1 < len(raw_lines):
                i += 1
                line = line[:-1] + " " + raw_lines[i].strip()
            lines.append((start + 1, line))
            i += 1

        stack = list(stack)  # frames: (label, expression text, where)
        frame_kinds = []  # "if", "menu", "choice" per frame pushed in this file
        current = None  # the Definition whose attributes follow
        block = None  # "menu"/"choice" whose `depends on` lines follow
        choice = None
        choice_count = [0]
        k = 0
        while k < len(lines):
            number, line = lines[k]
            k += 1
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            where = "%s:%d" % (rel, number)
            word, _, rest = stripped.partition(" ")
            if "\t" in word:
                word, _, tail = word.partition("\t")
                rest = (tail + " " + rest).strip()
            rest = rest.strip()
            if word in ("help", "---help---"):
                k = skip_help(lines, k, indent_of(line))
                continue
            if word in KEYWORDS_ENTRY:
                current = Definition(rest, where, stack, choice)
                self.defs.setdefault(rest, []).append(current)
                if choice is not None:
                    self.choices.setdefault(choice, []).append(rest)
                block = None
                continue
            if word in ("source", "osource", "rsource", "orsource"):
                target = unquote(rest)
                for p in self.resolve(target, path, word in ("rsource", "orsource")):
                    self.parse_file(p, stack)
                current = block = None
                continue
            if word == "if":
                stack.append(("if", rest, where))
                frame_kinds.append("if")
                current = block = None
                continue
            if word == "endif":
                pop_frame(stack, frame_kinds, "if")
                current = block = None
                continue
            if word == "menu":
                stack.append(("menu", "", where))
                frame_kinds.append("menu")
                current, block = None, "menu"
                continue
            if word == "endmenu":
                pop_frame(stack, frame_kinds, "menu")
                current = block = None
                continue
            if word == "choice":
                choice_count[0] += 1
                choice = "%s#%d" % (rel, choice_count[0])
                stack.append(("choice", "", where))
                frame_kinds.append("choice")
                current, block = None, "choice"
                continue
            if word == "endchoice":
                pop_frame(stack, frame_kinds, "choice")
                choice = None
                current = block = None
                continue
            if word in ("comment", "mainmenu"):
                current, block = None, "comment"
                continue
            if word == "depends" and rest.startswith("on"):
                expr = rest[2:].strip()
                if current is not None:
                    current.depends.append(("depends on", expr, where))
                elif block in ("menu", "choice") and stack:
                    label, old, at = stack[-1]
                    stack[-1] = (label, expr if not old else "(%s) && (%s)" % (old, expr), at)
                continue
            if current is None:
                continue
            if word in ("bool", "tristate", "int", "hex", "string", "def_bool", "def_tristate"):
                current.type = word.replace("def_", "")
                if word.startswith("def_"):
                    continue
                prompt, cond = split_prompt(rest)
                if prompt:
                    current.prompt = cond
                continue
            if word == "prompt":
                _, cond = split_prompt(rest)
                current.prompt = cond
                continue
            if word in ("select",):
                target, _, cond = rest.partition(" if ")
                self.selects.setdefault(target.strip(), []).append((current.name, cond.strip(), where))
                continue
            if word == "range":
                body, _, cond = rest.partition(" if ")
                parts = body.split()
                if len(parts) == 2:
                    current.ranges.append((parts[0], parts[1], cond.strip()))
                continue
            if MACRO_LINE_RE.match(stripped):
                continue


def indent_of(line):
    return len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip())


def skip_help(lines, k, keyword_indent):
    """Skips a help text: every line indented deeper than its first line, and blank lines."""
    text_indent = None
    while k < len(lines):
        _, line = lines[k]
        if not line.strip():
            k += 1
            continue
        ind = indent_of(line)
        if text_indent is None:
            if ind <= keyword_indent:
                return k
            text_indent = ind
        if ind < text_indent:
            return k
        k += 1
    return k


def pop_frame(stack, kinds, kind):
    if kinds and kinds[-1] == kind:
        kinds.pop()
        stack.pop()


def unquote(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def split_prompt(rest):
    """`"Prompt text" if COND` -> (prompt, condition text or "")."""
    m = re.match(r'^("(?:[^"\\]|\\.)*"|\'[^\']*\')\s*(?:if\s+(.*))?$', rest)
    if not m:
        return None, ""
    return m.group(1), (m.group(2) or "").strip()


# --- Why an option did not survive -----------------------------------------------------------

def unmet(ev, label, text, where, need):
    """The conjuncts of one dependency that hold the option below `need` (0..2)."""
    found = []
    for conj in split_conjuncts(parse_expr(text)):
        if ev.tristate(conj) < need:
            found.append({
                "kind": label,
                "expr": show(conj),
                "symbols": ev.symbols(conj, {}),
                "where": where,
            })
    return found


def describe(item):
    symbols = ", ".join("%s=%s" % (k, v) for k, v in sorted(item["symbols"].items()))
    label = {"depends on": "depends on", "if": "inside `if`", "menu": "its menu depends on",
             "choice": "its choice depends on", "prompt": "its prompt is visible only if"}[item["kind"]]
    return "%s %s%s" % (label, item["expr"], " (%s)" % symbols if symbols else "")


def explain(name, want, have, kconfig, ev):
    """Why `name` is `have` instead of the requested `want`: (kind, reason, details)."""
    defs = kconfig.defs.get(name)
    if not defs:
        elsewhere = defined_elsewhere(kconfig.srctree, name)
        if elsewhere:
            return "missing", "does not exist for %s (defined only in %s)" % (kconfig.arch, elsewhere), []
        return "missing", "no longer exists in this kernel (no Kconfig defines it)", []

    want_level = TRISTATE.get(want)
    have_level = TRISTATE.get(have, 0)
    if want_level is not None and want_level == 0:
        # Requested off, but on: something selects it, or it cannot be turned off.
        selectors = []
        for owner, cond, where in kconfig.selects.get(name, ()):
            if TRISTATE.get(ev.symbol_value(owner), 0) and (not cond or ev.tristate(parse_expr(cond))):
                selectors.append("%s (%s=%s, %s)" % (owner, owner, ev.symbol_value(owner), where))
        if selectors:
            return "selected", "selected by " + ", ".join(selectors), []
        if all(d.prompt is None for d in defs):
            return "no-prompt", "has no prompt: its value comes from its default, it cannot be turned off", []
        return "changed", "olddefconfig set it to %s" % have, []

    need = want_level if want_level is not None else 2
    details = []
    for d in defs:
        for label, text, where in d.inherited:
            if text:
                details += unmet(ev, label, text, where, need)
        for label, text, where in d.depends:
            details += unmet(ev, label, text, where, need)
        if d.prompt:
            details += unmet(ev, "prompt", d.prompt, d.where, need)
    if details:
        return "unmet-dependency", "; ".join(describe(x) for x in dedupe(details)), dedupe(details)

    if want_level is None:
        for d in defs:
            for low, high, cond in d.ranges:
                if cond and not ev.tristate(parse_expr(cond)):
                    continue
                lo, hi, val = (to_number(ev.raw(("sym", low))), to_number(ev.raw(("sym", high))), to_number(want))
                if None not in (lo, hi, val) and not lo <= val <= hi:
                    return "range", "value %s is outside its range %s..%s (%s)" % (want, low, high, d.where), []
    if all(d.prompt is None for d in defs):
        selectors = ["%s (%s=%s)" % (o, o, ev.symbol_value(o)) for o, _, _ in kconfig.selects.get(name, ())]
        why = "has no prompt: only a `select` sets it"
        if selectors:
            why += "; selected by " + ", ".join(selectors[:8])
        return "no-prompt", why, []
    for d in defs:
        if d.choice:
            others = [m for m in kconfig.choices.get(d.choice, ()) if m != name and ev.symbol_value(m) == "y"]
            if others:
                return "choice", "another option of the same choice is set: %s=y" % others[0], []
    return "changed", "olddefconfig set it to %s" % (have or "n"), []


def dedupe(items):
    seen = set()
    out = []
    for it in items:
        key = (it["kind"], it["expr"])
        if key not in seen:
            seen.add(key)
            out.append(it)
    return out


def defined_elsewhere(srctree, name):
    pattern = re.compile(r"^\s*(menu)?config\s+%s\s*$" % re.escape(name), re.M)
    for path in glob.glob(os.path.join(srctree, "arch", "*", "**", "Kconfig*"), recursive=True):
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                if pattern.search(f.read()):
                    return os.path.relpath(path, srctree)
        except OSError:
            continue
    return None


def survived(want, have):
    if want == "n":
        return have in ("n", None, "")
    if have is None:
        return False
    if to_number(want) is not None and to_number(have) is not None:
        return to_number(want) == to_number(have)
    return want == have


def load(config_path, srctree, arch):
    """The final .config's values, the kernel's Kconfig and an evaluator over both."""
    root = os.path.join(srctree, "Kconfig")
    if not os.path.isfile(root):
        raise UsageError("no Kconfig at the top of the kernel source tree %s" % srctree)
    values = read_config(config_path)
    kconfig = Kconfig(srctree, arch)
    kconfig.load(root)
    return values, kconfig, Evaluator(values, kconfig)


def verify(config_path, srctree, arch, fragments):
    requested = read_fragments(fragments)
    values, kconfig, ev = load(config_path, srctree, arch)
    dropped = []
    for name, req in requested.items():
        want = req["value"]
        have = values.get(name)
        if survived(want, have):
            continue
        kind, reason, details = explain(name, want, have if have is not None else "n", kconfig, ev)
        dropped.append({
            "option": "CONFIG_" + name,
            "requested": want,
            "actual": have,
            "kind": kind,
            "reason": reason,
            "unmet": details,
            "fragment": req["where"],
        })
    return {
        "ok": not dropped,
        "srctree": srctree,
        "arch": arch,
        "kconfigFiles": kconfig.files,
        "requested": len(requested),
        "dropped": dropped,
    }


# --- An option list against a flavor's .config ----------------------------------------------

def read_list(path):
    """The option list: (name, value, flavor, where) per line; `#` lines are comments."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise UsageError("cannot read the option list %s: %s" % (path, e))
    items = []
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = LIST_RE.match(line)
        if not m:
            raise UsageError("%s:%d: not an option line: %r (use `CONFIG_X=value flavor`)" % (path, number, line))
        items.append((m.group(1), parse_value(m.group(2)), m.group(3), "%s:%d" % (path, number)))
    return items


def settable(name, kconfig):
    """Whether a fragment can set a symbol: some definition of it has a prompt."""
    return any(d.prompt is not None for d in kconfig.defs.get(name, ()))


def beyond_fragments(kind, details, kconfig):
    """Whether an absent option cannot be present whatever the fragments say: gone from the
    kernel or this arch, or held off only by symbols without a prompt (arch capabilities)."""
    if kind == "missing":
        return True
    if kind != "unmet-dependency":
        return False
    return all(not settable(s, kconfig) for item in details for s in item["symbols"]) and any(item["symbols"] for item in details)


def selected_by(name, kconfig):
    return sorted({owner for owner, _, _ in kconfig.selects.get(name, ())})


def held_off_by(name, kconfig, ev):
    """Options set in the .config that depend on `!name`: why a flavor turns `name` off."""
    found = []
    for other, defs in kconfig.defs.items():
        if ev.symbol_value(other) not in ("y", "m"):
            continue
        for d in defs:
            for _, text, _ in d.depends:
                if any(c == ("not", ("sym", name)) for c in split_conjuncts(parse_expr(text))):
                    found.append(other)
    return sorted(set(found))


def check_list(config_path, srctree, arch, list_path, flavor):
    items = read_list(list_path)
    values, kconfig, ev = load(config_path, srctree, arch)
    rows = []
    for name, want, owner, where in items:
        have = values.get(name)
        mine = owner in ("all", flavor)
        row = {"option": "CONFIG_" + name, "requested": want, "flavor": owner, "mine": mine,
               "actual": have, "present": survived(want, have), "where": where}
        if not row["present"]:
            kind, reason, details = explain(name, want, have if have is not None else "n", kconfig, ev)
            fixed = beyond_fragments(kind, details, kconfig)
            if fixed and kind == "unmet-dependency":
                owners = {s: selected_by(s, kconfig) for item in details for s in item["symbols"]}
                reason += "; " + "; ".join(
                    "%s has no prompt%s" % (s, ": selected only by " + ", ".join(o) if o else "")
                    for s, o in sorted(owners.items()))
            if kind == "changed":
                rivals = held_off_by(name, kconfig, ev)
                if rivals:
                    reason = "off because %s" % ", ".join("%s=y depends on !%s" % (r, name) for r in rivals)
            row.update({"kind": kind, "reason": reason, "cannotBePresent": fixed})
        rows.append(row)
    wrong = [r for r in rows if r["mine"] and not r["present"] and not r["cannotBePresent"]]
    return {"ok": not wrong, "flavor": flavor, "srctree": srctree, "arch": arch, "options": rows,
            "absentButPossible": [r["option"] for r in wrong]}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", required=True, help="the .config written by olddefconfig")
    ap.add_argument("--srctree", required=True, help="the kernel source tree (holds the Kconfig files)")
    ap.add_argument("--arch", default="x86", help="SRCARCH of the build (default x86)")
    ap.add_argument("--list", help="an option list (`CONFIG_X=value flavor` lines) to check instead of fragments")
    ap.add_argument("--flavor", help="with --list: the flavor whose .config this is")
    ap.add_argument("fragments", nargs="*", help="the config fragments that were merged, in order")
    args = ap.parse_args(argv)
    if bool(args.list) == bool(args.fragments) or bool(args.list) != bool(args.flavor):
        ap.print_usage(sys.stderr)
        print("verify-config: give either FRAGMENT... or --list with --flavor", file=sys.stderr)
        return 2
    try:
        if args.list:
            report = check_list(args.config, os.path.abspath(args.srctree), args.arch, args.list, args.flavor)
        else:
            report = verify(args.config, os.path.abspath(args.srctree), args.arch, args.fragments)
    except UsageError as e:
        print("verify-config: %s" % e, file=sys.stderr)
        return 2
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
