// Preloaded into the peer gateway (node --import): it calls listen(port) without a host, i.e. on every
// interface, and has no option for it. This forces every TCP listen of that process onto 127.0.0.1.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function loopbackListen(...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (typeof args[1] === 'function' || args[1] === undefined) args.splice(1, 0, '127.0.0.1');
    else if (typeof args[1] === 'string') args[1] = '127.0.0.1';
  } else if (args[0] !== null && typeof args[0] === 'object' && !('path' in args[0] && args[0].path)) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};
