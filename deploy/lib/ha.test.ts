import { describe, expect, it } from 'vitest';
import { haproxyConfig } from './ha.js';

const nodes = [
  { name: 'pg1', port: 5434, restPort: 5436 },
  { name: 'pg2', port: 5435, restPort: 5437 },
];

describe('haproxyConfig', () => {
  it('leads its one listener to the node whose Patroni answers /primary', () => {
    const cfg = haproxyConfig({ proxyPort: 5433, nodes, pidFile: '/run/h.pid' });
    expect(cfg).toContain('listen postgres_primary\n    bind 127.0.0.1:5433\n    option httpchk OPTIONS /primary');
    expect(cfg).toContain('server pg2 127.0.0.1:5435 maxconn 1000 check port 5437');
    expect(cfg).not.toContain('postgres_replicas');
  });
  it('with a replica port, a second listener leads to the standbys (/replica)', () => {
    const cfg = haproxyConfig({ proxyPort: 5433, nodes, pidFile: '/run/h.pid', replicaPort: 5440 });
    const replicas = cfg.slice(cfg.indexOf('listen postgres_replicas'));
    expect(replicas).toContain('bind 127.0.0.1:5440');
    expect(replicas).toContain('option httpchk OPTIONS /replica');
    expect(replicas.match(/^ {4}server /gm)).toHaveLength(2);
  });
});
