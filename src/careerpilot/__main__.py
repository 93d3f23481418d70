"""``python -m careerpilot``: the same as the ``careerpilot`` command."""

from careerpilot.cli import main

main()
