// Preloaded with `node --import` by the start-up test: records every module the process
// loads and prints the list on exit (standard error, one line: LOADED [...]).
import module from 'node:module';

const loaded: string[] = [];
module.registerHooks({
  load(url, context, nextLoad) {
    loaded.push(url);
    return nextLoad(url, context);
  },
});
process.on('exit', () => process.stderr.write(`LOADED ${JSON.stringify(loaded)}\n`));
