"""Sphinx configuration of the skmtl documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.
The build needs no network access.
"""

import os
import sys

# Document the checkout this file lives in, installed or not.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

import skmtl

project = "skmtl"
author = "The skmtl developers"
copyright = "The skmtl developers"
version = skmtl.__version__
release = skmtl.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "matplotlib.sphinxext.plot_directive",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
root_doc = "index"

# API pages: one page per object, written by autosummary into generated/.
autosummary_generate = True
autodoc_typehints = "none"

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# Figures of the user guide: ``.. plot::`` runs its code at build time.
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]

html_theme = "alabaster"
html_title = f"skmtl {release}"
html_theme_options = {
    "description": "Multi-task learning for scikit-learn",
    "fixed_sidebar": True,
}
