# Runs a command on a pseudo-terminal; for each PROMPT LINE pair, waits for the prompt and
# types the line; prints {"output": everything the terminal showed, "code": exit code}
# as JSON. Used to check that `plantgate login` does not echo what it asks for.
# Usage: pty-run.py JSON-ARGV PROMPT LINE [PROMPT LINE …]
import json, os, pty, select, sys, time

argv = json.loads(sys.argv[1])
pairs = [(sys.argv[i].encode(), sys.argv[i + 1].encode()) for i in range(2, len(sys.argv) - 1, 2)]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
out = b''

def read_until(done, seconds):
    global out
    end = time.time() + seconds
    while time.time() < end and not done(out):
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return
            if not chunk:
                return
            out += chunk

seen = 0
for prompt, line in pairs:
    read_until(lambda o: prompt in o[seen:], 30)
    seen = len(out)
    time.sleep(0.3)
    os.write(fd, line + b'\r')
read_until(lambda o: False, 30)
_, status = os.waitpid(pid, 0)
sys.stdout.write(json.dumps({'output': out.decode('utf8', 'replace'), 'code': os.waitstatus_to_exitcode(status)}))
