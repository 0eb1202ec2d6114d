"""`python -m tests.testnet up|down|env|status|demo-services`.

The state directory is $MAILVET_TESTNET_DIR, or /tmp/mailvet-testnet-<uid>.
"""

from __future__ import annotations

import argparse
import sys

from tests.testnet import network
from tests.testnet.layout import default_state_dir


def _print_env(net: network.Testnet, export: bool) -> None:
    prefix = "export " if export else ""
    for key, value in net.env.items():
        print(f"{prefix}{key}={value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.testnet", description=__doc__)
    parser.add_argument("command", choices=("up", "down", "env", "status", "demo-services"))
    parser.add_argument("--export", action="store_true", help="prefix env lines with `export`")
    parser.add_argument(
        "--generated",
        type=int,
        default=0,
        metavar="N",
        help="up: serve N good.test-like zones too (gen01.test ...)",
    )
    parser.add_argument(
        "--port-53",
        action="store_true",
        help="up: Unbound listens on port 53 of its address as well (needs root)",
    )
    args = parser.parse_args(argv)
    state_dir = default_state_dir()

    if args.command == "demo-services":
        from tests.testnet.demo import load_demo_services

        slugs = load_demo_services()
        print(f"demo services on the test network: {', '.join(slugs)}", file=sys.stderr)
        return 0

    if args.command == "up":
        try:
            net = network.up(state_dir, args.generated, resolver_on_port_53=args.port_53)
        except (RuntimeError, ValueError) as exc:
            print(f"test network failed to start: {exc}", file=sys.stderr)
            return 1
        steps = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in net.timings.items())
        print(
            f"test network up in {net.startup_seconds:.2f}s ({steps}); state in {state_dir}",
            file=sys.stderr,
        )
        _print_env(net, args.export)
        return 0
    if args.command == "down":
        stopped = network.down(state_dir)
        print(f"stopped: {', '.join(stopped) or 'nothing was running'}", file=sys.stderr)
        return 0
    net = network.running(state_dir)
    if net is None:
        print(f"no test network running in {state_dir}", file=sys.stderr)
        return 1
    if args.command == "env":
        _print_env(net, args.export)
    else:
        print(f"running in {state_dir}, resolver {net.env['AUDIT_NAMESERVERS']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
