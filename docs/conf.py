"""Sphinx configuration of the skmtl documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.
The build needs no network access.
"""

import os
import sys

# Document the checkout this file lives in, installed or not.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

import skmtl

# The gallery runs each example from its own folder: a relative data folder
# (CI's SKMTL_DATA_HOME=../shared/data) is made absolute from where the build
# was started ($PWD: Sphinx reads this file from the docs folder).
_data_home = os.environ.get("SKMTL_DATA_HOME")
if _data_home and not os.path.isabs(_data_home):
    _started = os.environ.get("PWD", os.getcwd())
    os.environ["SKMTL_DATA_HOME"] = os.path.normpath(os.path.join(_started, _data_home))

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
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb"]
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

# The gallery: every examples/plot_*.py runs at each build (its figures and
# printed output go into the page); an example that fails fails the build.
# SKMTL_GALLERY_PATTERN (a regular expression) runs only the examples whose
# path matches, to work on one example: the others are shown without output.
sphinx_gallery_conf = {
    "examples_dirs": os.path.join(os.path.dirname(__file__), "..", "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": os.environ.get("SKMTL_GALLERY_PATTERN", r"/plot_"),
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 0,
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
}

html_theme = "alabaster"
html_title = f"skmtl {release}"
html_theme_options = {
    "description": "Multi-task learning for scikit-learn",
    "fixed_sidebar": True,
}
