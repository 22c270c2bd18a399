"""The command line's side of the ChangeSet boundary: change sets from a local git repository (`git`), from
files and folders given to `lint` (`lintset`), and from the bundled examples (`examples`). Imports the model
and the framework registry; nothing but the command line imports it.
"""
