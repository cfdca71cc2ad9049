# Runs a command on a pseudo-terminal, waits for a prompt, types a line, and prints
# {"output": everything the terminal showed, "code": exit code} as JSON. Used to check
# that `plantgate login` does not echo the password it asks for.
import json, os, pty, select, sys, time

argv, prompt, line = json.loads(sys.argv[1]), sys.argv[2].encode(), sys.argv[3].encode()
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

read_until(lambda o: prompt in o, 30)
time.sleep(0.3)
os.write(fd, line + b'\r')
read_until(lambda o: False, 30)
_, status = os.waitpid(pid, 0)
sys.stdout.write(json.dumps({'output': out.decode('utf8', 'replace'), 'code': os.waitstatus_to_exitcode(status)}))
