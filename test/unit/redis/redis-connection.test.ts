import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { redisOptions } from '../../../src/redis/redis-connection.js';

describe('redisOptions', () => {
  it.each([
    ['redis://127.0.0.1:6379', { host: '127.0.0.1', port: 6379, db: 0 }],
    ['redis://redis', { host: 'redis', port: 6379 }],
    ['redis://:s%40cret@h:7000/2', { host: 'h', port: 7000, password: 's@cret', db: 2 }],
    ['rediss://u:p@h:6380', { host: 'h', port: 6380, username: 'u', password: 'p', tls: {} }],
    ['unix:///var/lib/farm/.farm/redis.sock', { path: '/var/lib/farm/.farm/redis.sock' }],
  ])('%s', (url, expected) => {
    const options = redisOptions(url);
    expect(options).toMatchObject(expected);
    // BullMQ workers need this.
    expect(options.maxRetriesPerRequest).toBeNull();
  });

  it.each(['http://h', 'unix://relative.sock', 'not a url'])('refuses %s', (url) => {
    expect(() => redisOptions(url)).toThrow(UsageError);
  });
});
