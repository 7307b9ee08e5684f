import { describe, expect, it } from 'vitest';
import { haproxyConfig, patroniConfig } from './ha.js';

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

describe('patroniConfig', () => {
  it("puts PostgreSQL's socket outside the data directory (pg_rewind fails on a socket there)", () => {
    const yml = patroniConfig({
      scope: 'dukaan',
      name: 'pg1',
      port: 5434,
      restPort: 5436,
      etcdClientPort: 2379,
      dataDir: '/srv/ha/pg1/data',
      socketDir: '/srv/ha/pg1',
      pgpass: '/srv/ha/pg1/pgpass',
      binDir: '/usr/lib/postgresql/15/bin',
      fast: false,
      parameters: {},
    });
    expect(yml).toContain('    unix_socket_directories: "/srv/ha/pg1"\n');
    expect(yml).toContain('  data_dir: "/srv/ha/pg1/data"\n');
    expect(yml).toContain('      use_pg_rewind: true\n');
  });
});
