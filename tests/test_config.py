"""Security settings: the server config keeps cross-site protections on and caps sizes, and no
user text can reach ``unsafe_allow_html``.

Everything here reads files (the TOML config, the pages' source); nothing starts a server.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Folders whose code runs inside the server and may draw on the page.
SCANNED = ("pages", "embedding")
MAX_MB = 50


def test_config_applies_to_the_running_server(monkeypatch):
    """The values the server will actually use (config loaded the way ``streamlit run`` does):
    a typo in a key or a section of the TOML fails here, where reading the file would not."""
    from streamlit import config as st_config

    monkeypatch.chdir(ROOT)  # streamlit reads ./.streamlit/config.toml from the working folder

    st_config.get_config_options(force_reparse=True, options_from_flags={})
    try:
        assert st_config.get_option("server.enableXsrfProtection") is True
        assert st_config.get_option("server.enableCORS") is True
        # Streamlit 1.67: "full" | "stacktrace" | "type" | "none"; the legacy ``false`` now means
        # "stacktrace", so only "none" hides tracebacks and exception messages from the browser.
        assert st_config.get_option("client.showErrorDetails") == "none"
        for option in ("server.maxUploadSize", "server.maxMessageSize"):
            assert 0 < st_config.get_option(option) <= MAX_MB, option
        # Performance, not security, but a silent regression: gc.collect(2) after each rerun
        # costs 0.3 s of GIL-holding CPU with the models loaded (bench/RESULTS.md).
        assert st_config.get_option("runner.postScriptGC") is False
    finally:
        st_config.get_config_options(force_reparse=True)


# --- unsafe_allow_html only ever receives constant strings ----------------------------------


def _module_constants(tree: ast.Module) -> set[str]:
    """Names assigned once at module level to a string literal (or a concatenation of them)."""
    counts: dict[str, int] = {}
    constant: set[str] = set()
    for node in tree.body:
        targets: list[ast.expr] = []
        value = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for t in targets:
            if isinstance(t, ast.Name):
                counts[t.id] = counts.get(t.id, 0) + 1
                if value is not None and _is_literal_string(value, set()):
                    constant.add(t.id)
    # A name rebound anywhere in the module (function bodies included) is not a constant.
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
    return {name for name in constant if counts.get(name, 0) <= 2}


def _is_literal_string(node: ast.expr, constants: set[str]) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.Name) and node.id in constants:
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_literal_string(node.left, constants) and _is_literal_string(node.right, constants)
    return False


def unsafe_html_calls(source: str, filename: str = "<src>") -> list[str]:
    """Calls with ``unsafe_allow_html=True`` whose first argument is not a constant string.

    Usage: ``unsafe_html_calls('st.markdown(x, unsafe_allow_html=True)')`` → ``['<src>:1']``
    """
    tree = ast.parse(source, filename=filename)
    constants = _module_constants(tree)
    bad: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        flags = [k for k in node.keywords if k.arg == "unsafe_allow_html"]
        if not flags:
            continue
        flag = flags[0].value
        if isinstance(flag, ast.Constant) and flag.value is False:
            continue
        first = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg in {"body", "text"}), None
        )
        if first is None or not _is_literal_string(first, constants):
            bad.append(f"{filename}:{node.lineno}")
        # ``**kwargs`` could smuggle the flag in too: flagged by the check below.
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and any(
            k.arg is None and "unsafe_allow_html" in ast.unparse(k.value) for k in node.keywords
        ):
            bad.append(f"{filename}:{node.lineno}")
    return bad


def _sources() -> list[Path]:
    return sorted(p for d in SCANNED for p in (ROOT / d).rglob("*.py"))


def test_scanner_catches_user_text():
    """The check itself can fail: variables, f-strings and non-literal flags are caught."""
    assert unsafe_html_calls("st.markdown(text, unsafe_allow_html=True)")
    assert unsafe_html_calls("st.markdown(f'<b>{t}</b>', unsafe_allow_html=True)")
    assert unsafe_html_calls("st.html('<b>' + t, unsafe_allow_html=True)")
    assert unsafe_html_calls("st.markdown(body=t, unsafe_allow_html=flag)")
    assert unsafe_html_calls("C = '<b>'\ndef f():\n    C = x\nst.markdown(C, unsafe_allow_html=True)")
    assert not unsafe_html_calls("st.markdown('<br>', unsafe_allow_html=True)")
    assert not unsafe_html_calls("CSS = '<style>p{}</style>'\nst.markdown(CSS, unsafe_allow_html=True)")
    assert not unsafe_html_calls("st.markdown(text, unsafe_allow_html=False)")


def test_unsafe_html_only_with_constant_strings():
    bad: list[str] = []
    for path in _sources():
        bad += unsafe_html_calls(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not bad, "unsafe_allow_html with a non-constant argument at: " + ", ".join(bad)


def test_no_st_html_with_variables():
    """``st.html`` renders raw HTML without any flag: it, too, only takes constants."""
    bad: list[str] = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _module_constants(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "html"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "st"
                and not (node.args and _is_literal_string(node.args[0], constants))
            ):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bad, "st.html with a non-constant argument at: " + ", ".join(bad)


def _unsafe_loads(tree: ast.AST) -> list[int]:
    """Lines that unpickle or evaluate: pickle/joblib/torch loads, ``allow_pickle=True``, eval."""
    lines: list[int] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and f.id in {"eval", "exec"}:
            lines.append(node.lineno)
        elif (
            isinstance(f, ast.Attribute)
            and isinstance(f.value, ast.Name)
            and (f.value.id, f.attr) in {("pickle", "load"), ("pickle", "loads"),
                                         ("joblib", "load"), ("torch", "load"),
                                         ("dill", "load"), ("cloudpickle", "load")}
        ):
            lines.append(node.lineno)
        elif any(k.arg == "allow_pickle" and not (isinstance(k.value, ast.Constant)
                                                  and k.value.value is False)
                 for k in node.keywords):
            lines.append(node.lineno)
    return lines


def test_unsafe_load_scanner_can_fail():
    assert _unsafe_loads(ast.parse("import pickle\npickle.loads(data)"))
    assert _unsafe_loads(ast.parse("np.load(f, allow_pickle=True)"))
    assert _unsafe_loads(ast.parse("eval(text)"))
    assert not _unsafe_loads(ast.parse("model.eval()\nnp.load(f)"))


def test_no_pickle_in_app_code():
    """Uploads are parsed by content, never unpickled or evaluated."""
    bad: list[str] = []
    for path in _sources():
        for line in _unsafe_loads(ast.parse(path.read_text(encoding="utf-8"))):
            bad.append(f"{path.relative_to(ROOT)}:{line}")
    assert not bad, "unpickling or eval in app code at: " + ", ".join(bad)


def _cache_data_without_bound(tree: ast.AST) -> list[int]:
    """Lines where ``st.cache_data`` is used without ``max_entries`` (unbounded growth)."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for dec in node.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            if isinstance(target, ast.Attribute) and target.attr == "cache_data":
                kws = {k.arg for k in dec.keywords} if isinstance(dec, ast.Call) else set()
                if "max_entries" not in kws:
                    lines.append(dec.lineno)
    return lines


def test_cache_bound_scanner_can_fail():
    assert _cache_data_without_bound(ast.parse("@st.cache_data\ndef f(x): ..."))
    assert _cache_data_without_bound(ast.parse("@st.cache_data(ttl=5)\ndef f(x): ..."))
    assert not _cache_data_without_bound(ast.parse("@st.cache_data(max_entries=8)\ndef f(x): ..."))


def test_every_cache_data_is_bounded():
    """A class typing different inputs must not grow the server's memory without limit."""
    bad = [f"{p.relative_to(ROOT)}:{line}" for p in _sources()
           for line in _cache_data_without_bound(ast.parse(p.read_text(encoding="utf-8")))]
    assert not bad, "st.cache_data without max_entries at: " + ", ".join(bad)
