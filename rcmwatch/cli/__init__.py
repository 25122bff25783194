"""The ``rcmwatch`` command line (contract: ../shared/DESIGN.md "Command line")."""
