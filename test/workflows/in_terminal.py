"""Run a command in a pseudo-terminal, answering each `[q]uit: ` prompt with the next answer.

An answer "<EOF>" sends Ctrl-D (end of input).
usage: python3 in_terminal.py '<answers as JSON list>' <command> [args...]
Prints everything the terminal showed; exits with the command's exit code.
"""
import json
import os
import pty
import select
import sys
import time

answers = json.loads(sys.argv[1])
cmd = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)


def read_some(timeout):
    """What the terminal shows next; b"" at its end or when nothing came within `timeout`."""
    if not select.select([fd], [], [], timeout)[0]:
        return None
    try:
        return os.read(fd, 65536)
    except OSError:  # the command ended and closed the terminal
        return b""


out = b""
given = 0
status = None
deadline = time.time() + 60
while time.time() < deadline:
    data = read_some(0.2)
    if data is None:
        # The master does not always report the end when the command exits: ask.
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            while (rest := read_some(0.1)):  # what is left in the terminal
                out += rest
            break
        continue
    if not data:
        break
    out += data
    if given < len(answers) and out.count(b"[q]uit: ") > given:
        a = answers[given]
        os.write(fd, b"\x04" if a == "<EOF>" else (a + "\n").encode())
        given += 1
if status is None:
    _, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
