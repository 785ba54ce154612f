#!/usr/bin/python3
# The traffic of reject-replies-conntrack: its script, writing this case's capture.
import os
import runpy
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
here = os.path.dirname(os.path.abspath(__file__))
sys.argv = [sys.argv[0], sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'capture.pcap')]
runpy.run_path(os.path.join(here, '..', 'reject-replies-conntrack', 'make-capture.py'), run_name='__main__')
