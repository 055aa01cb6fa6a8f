"""``python3 -m bench.odoo_cli ARGS``: Odoo's command line with the benchmark's frozen copy of our addons first.

Other developers reinstall the addons into site-packages while the benchmark runs; a database
created with one version and measured with another fails on missing columns. So the run copies
the addons once at its start (``BENCH_ADDONS``) and every process it starts loads that copy.
"""

import os
import sys

ADDONS_ENV = "BENCH_ADDONS"
NO_WEBSOCKET_ENV = "BENCH_NO_WEBSOCKET"


def use_frozen_addons():
    path = os.environ.get(ADDONS_ENV)
    if not path:
        return
    import odoo.addons

    paths = odoo.addons.__path__
    if path in paths:
        return
    if isinstance(paths, list):  # 18.0
        paths.insert(0, path)
    else:  # 19.0: a namespace path, frozen as Odoo freezes it (odoo/modules/module.py initialize_sys_path)
        paths._path.insert(0, path)
        paths._path_finder = lambda *args: None


def main():
    use_frozen_addons()
    import odoo.cli

    # Odoo's prefork server starts its gevent process as ``sys.executable sys.argv[0] gevent ...``:
    # argv[0] must be a script Python can run (this file), or that process fails at once and is
    # started again and again, burning a core beside the workers.
    sys.argv = [os.path.abspath(__file__), *sys.argv[1:]]
    if os.environ.get(NO_WEBSOCKET_ENV):
        from odoo.service import server

        server.PreforkServer.long_polling_spawn = lambda self: None
    odoo.cli.main()


if __name__ == "__main__":
    main()
