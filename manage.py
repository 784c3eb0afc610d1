#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""
import gc
import os
import sys

# Asking for help serves nothing and reads no database: it may run before the
# environment is configured (a fresh clone). Settings refuse to load without
# SECRET_KEY and DATABASE_URL, and Django then lists only its own commands, so
# these invocations get placeholders; every other command, and the web process
# (raptorflow/wsgi.py), still needs the real values.
HELP_COMMANDS = {"help", "--help", "-h", "version", "--version"}
HELP_PLACEHOLDERS = {
    "SECRET_KEY": "placeholder-for-manage-py-help-only",
    "DATABASE_URL": "postgres://help@localhost/manage-py-help-only",
}


def asks_only_for_help(argv: list[str]) -> bool:
    """``manage.py``, ``manage.py help [command]``, ``manage.py --version``, ``manage.py <command> --help``."""
    if len(argv) < 2 or argv[1] in HELP_COMMANDS:
        return True
    options = argv[2 : argv.index("--")] if "--" in argv else argv[2:]
    return "--help" in options or "-h" in options


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raptorflow.settings")
    if asks_only_for_help(sys.argv):
        for name, placeholder in HELP_PLACEHOLDERS.items():
            os.environ.setdefault(name, placeholder)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
    # The command is done and the process ends here. At exit Python collects
    # garbage once more over every object still alive (Django's and the
    # command's: about 0.1 s after a full migrate, a tenth of its time).
    # Frozen, they are left to the exit that frees the whole process anyway;
    # files, connections and atexit handlers close as before.
    gc.freeze()


if __name__ == "__main__":
    main()
