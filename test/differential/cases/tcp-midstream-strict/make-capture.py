#!/usr/bin/python3
# The same capture as tcp-midstream-pickup: only the host's nf_conntrack_tcp_loose differs.
# Runs that case's script, writing to argv[1] or to this case's capture.pcap.
import os
import runpy
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'capture.pcap')
sys.argv = [sys.argv[0], out]
runpy.run_path(os.path.join(here, '..', 'tcp-midstream-pickup', 'make-capture.py'), run_name='__main__')
