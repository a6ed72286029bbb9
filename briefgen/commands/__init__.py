"""The commands: one module each, a thin function over the library that the command line calls.

``build``, ``letters``, ``send``, ``serve``, ``new`` and ``validate``; each takes its options
as a typed object and returns a result object, raising only the exceptions of
:mod:`briefgen.errors`. :mod:`briefgen.cli` parses the arguments and prints the results.
"""
