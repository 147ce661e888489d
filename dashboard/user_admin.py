"""Manage the app's users.

    python -m dashboard.user_admin add NAME --role marketer   # asks for the password
    python -m dashboard.user_admin set-password NAME [--role admin]
    python -m dashboard.user_admin list
    python -m dashboard.user_admin unlock NAME [--client ADDRESS]  # after lockouts
    python -m dashboard.user_admin seed-demo                  # one user per role

Passwords come from a prompt, or from stdin with --password-stdin, never from
the command line (it would land in shell history and `ps`).
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from dashboard.data import connection
from dashboard.data import users as store

DEMO_USERS = {
    "viewer": "demo-viewer",
    "marketer": "demo-marketer",
    "admin": "demo-admin",
}


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat: ") != first:
        raise SystemExit("the passwords differ")
    return first


# who the audit log says created or reset the demo users
SEED_DEMO = "seed-demo"


def seed_demo(url: str) -> dict[str, tuple[str, str]]:
    """Create (or reset) one demo user per role with a fresh random password."""
    created = {}
    for role, username in DEMO_USERS.items():
        password = secrets.token_urlsafe(9)
        if not store.set_password(url, username, password, role=role, actor=SEED_DEMO):
            store.add_user(url, username, password, role, created_by=SEED_DEMO)
        created[role] = (username, password)
    return created


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.user_admin")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="create a user")
    add.add_argument("username")
    add.add_argument("--role", choices=store.ROLES, default="viewer")
    add.add_argument("--password-stdin", action="store_true")
    reset = sub.add_parser("set-password", help="reset a password (and role)")
    reset.add_argument("username")
    reset.add_argument("--role", choices=store.ROLES)
    reset.add_argument("--password-stdin", action="store_true")
    sub.add_parser("list", help="list users")
    unlock = sub.add_parser(
        "unlock",
        help="forget a name's failed sign-ins (at every client) and/or a client's",
    )
    unlock.add_argument("username", nargs="?")
    unlock.add_argument("--client", help="the client address the app showed")
    sub.add_parser("seed-demo", help="one demo user per role; prints credentials")
    args = parser.parse_args(argv)

    url = connection.current_url()
    try:
        if args.command == "add":
            store.add_user(
                url,
                args.username,
                _read_password(args),
                args.role,
                created_by=getpass.getuser(),
            )
            print(f"user {args.username} added ({args.role})")
        elif args.command == "set-password":
            if not store.set_password(
                url,
                args.username,
                _read_password(args),
                role=args.role,
                actor=getpass.getuser(),
            ):
                print(f"no user {args.username}", file=sys.stderr)
                return 1
            print(f"password of {args.username} reset")
        elif args.command == "unlock":
            store.unlock(url, args.username, args.client, actor=getpass.getuser())
            print(
                "unlocked "
                + " and ".join(
                    what
                    for what in (
                        args.username and f"user {args.username}",
                        args.client and f"client {args.client}",
                    )
                    if what
                )
            )
        elif args.command == "list":
            for user in store.list_users(url):
                state = "active" if user["is_active"] else "inactive"
                print(f"{user['username']:<24} {user['role']:<9} {state}")
        else:
            print("demo users (sign in at the app's address):")
            for role, (username, password) in seed_demo(url).items():
                print(f"  {role:<9} user: {username:<14} password: {password}")
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
