"""The instructor's provider check from a shell, before a class: is each configured remote
provider reachable, how fast, how many numbers per vector, is the key accepted, and is it the
model it says it is (compared with the built-in SBERT)?

    python -m embedding.models.providers check            # every configured remote provider
    python -m embedding.models.providers check "My server"

Reads the same settings as the app (``embedding.config``); sends one short fixed text to each
provider (never a student's text), prints one block per provider and exits with 1 when any
check failed or any answer did not match what its model claims (another name in the answer,
another dimension, the same vectors as another model). The key is never printed.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from embedding import config
from embedding.models.providers import (
    ProviderConfigError,
    configured_specs,
    make_provider,
)


def _yes_no(value: bool | None, yes: str = "yes", no: str = "NO") -> str:
    return "unknown" if value is None else (yes if value else no)


def format_report(report) -> str:
    """One provider's :class:`~embedding.models.remote.CheckReport` as a few aligned lines."""
    lines = [f"{report.name}: {report.model} at {report.endpoint}",
             f"  reachable      {_yes_no(report.reachable)}",
             "  latency        " + ("-" if report.latency is None
                                    else f"{report.latency * 1000:.0f} ms"),
             f"  dimension      {report.dim or '-'}",
             f"  key accepted   {report.key_note}"]
    if report.answered_model:
        lines.append(f"  model answered {report.answered_model}")
    lines.append(f"  -> {report.message}")
    lines += [f"  ! {n}" for n in report.notices]
    return "\n".join(lines)


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(prog="python -m embedding.models.providers",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["check"])
    parser.add_argument("names", nargs="*", help="provider names (default: every remote one)")
    parser.add_argument("--no-compare", action="store_true",
                        help="do not load the built-in SBERT to compare answers with")
    args = parser.parse_intermixed_args(list(argv))  # names may follow --no-compare
    try:
        specs = [s for s in configured_specs(config.provider_settings_file(),
                                             config.openai_model(), config.openai_base_url())
                 if s.remote and (not args.names or s.name in args.names)]
    except ProviderConfigError as exc:
        print(f"The provider settings cannot be used: {exc}")
        return 2
    if not specs:
        print("No remote provider is configured (EMBEDDING_EXPLORER_OPENAI_MODEL, "
              "EMBEDDING_EXPLORER_PROVIDERS)" + (f" named {', '.join(args.names)}."
                                                 if args.names else "."))
        return 2
    reference, reference_name = None, ""
    if not args.no_compare:
        from embedding.models.providers import SbertProvider
        from embedding.models.sbert import describe_sbert, load_sbert

        reference, reference_name = SbertProvider(load_sbert()).embed, describe_sbert()
    import tempfile
    from pathlib import Path

    failed = 0
    with tempfile.TemporaryDirectory() as tmp:  # a check writes nothing into the app's cache
        for spec in specs:
            provider = make_provider(
                spec, api_key=config.api_key(spec.api_key_env) if spec.api_key_env else None,
                cache_dir=Path(tmp), deadline=config.provider_deadline(),
                max_retries=config.provider_retries(), cooldown=config.provider_cooldown(),
                reference=reference, reference_name=reference_name)
            report = provider.check()
            failed += not report.ok or bool(report.notices)  # a mislabelled model fails too
            print(format_report(report), flush=True)
    return 1 if failed else 0
