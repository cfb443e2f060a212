"""MkDocs hook: a moved chapter's or lab's notebook still downloads from its old address.

mkdocs-redirects (mkdocs.yml) writes a page at each old address that sends the reader to the new
one; a link to the old ``.ipynb`` is a download, which no page can redirect. After the build,
this hook copies each moved page's notebook to its old name (booktools/redirects.py says which);
tests/test_site.py checks that both names serve the same notebook.
"""

from __future__ import annotations

import os
import shutil

from booktools.redirects import notebook_moves


def on_post_build(config):
    plugin = config.plugins.get("redirects")
    if plugin is None:
        return
    site = config["site_dir"]
    for old, new in notebook_moves(plugin.config["redirect_maps"]):
        source = os.path.join(site, *new.split("/"))
        if os.path.isfile(source):
            target = os.path.join(site, *old.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(source, target)
