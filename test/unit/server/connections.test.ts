import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { ConnectionTracker } from '../../../src/server/connections.js';

/** Just what the tracker reads of a socket: bytesRead, end(), destroy() and 'close'. */
class FakeSocket extends EventEmitter {
  bytesRead = 0;
  state: 'open' | 'ended' | 'destroyed' = 'open';
  end(): void {
    this.state = 'ended';
  }
  destroy(): void {
    this.state = 'destroyed';
    this.emit('close');
  }
}

function setup(): { tracker: ConnectionTracker; clock: { now: number }; socket: FakeSocket } {
  const clock = { now: 1000 };
  const tracker = new ConnectionTracker(() => clock.now);
  const socket = new FakeSocket();
  tracker.add(socket as unknown as TLSSocket);
  return { tracker, clock, socket };
}

const response = (): ServerResponse => new EventEmitter() as unknown as ServerResponse;

describe('connection tracking for the drain', () => {
  test.each([
    { name: 'quiet for the grace since the drain started', advance: 1000, bytes: 0, busy: false, state: 'ended' },
    { name: 'quiet, but not yet for the grace', advance: 999, bytes: 0, busy: false, state: 'open' },
    { name: 'on which bytes of a next request arrived', advance: 5000, bytes: 40, busy: false, state: 'open' },
    { name: 'with a request being answered', advance: 5000, bytes: 0, busy: true, state: 'open' },
  ])('a connection $name: $state', ({ advance, bytes, busy, state }) => {
    const { tracker, clock, socket } = setup();
    if (busy) tracker.requestStarted(socket as unknown as TLSSocket, response());
    const drainStarted = clock.now;
    clock.now += advance;
    socket.bytesRead += bytes;
    tracker.endIdle(1000, drainStarted);
    expect(socket.state).toBe(state);
  });

  test('a connection idle long before the drain still gets the whole grace from its start', () => {
    const { tracker, clock, socket } = setup();
    clock.now += 60_000;
    tracker.endIdle(1000, clock.now);
    expect(socket.state).toBe('open');
  });

  test('an answered request makes the connection idle again, counted from the answer; pipelined answers all count', () => {
    const { tracker, clock, socket } = setup();
    const first = response();
    const second = response();
    tracker.requestStarted(socket as unknown as TLSSocket, first);
    tracker.requestStarted(socket as unknown as TLSSocket, second);
    expect(tracker.busy()).toBe(1);
    first.emit('finish');
    expect(tracker.busy()).toBe(1);
    socket.bytesRead = 500;
    clock.now += 300;
    second.emit('finish');
    expect(tracker.busy()).toBe(0);
    clock.now += 999;
    tracker.endIdle(1000, 0);
    expect(socket.state).toBe('open');
    clock.now += 1;
    tracker.endIdle(1000, 0);
    expect(socket.state).toBe('ended');
  });

  test('a request on a connection the drain closed is refused; a client that never closes its side is let go after another grace', () => {
    const { tracker, clock, socket } = setup();
    clock.now += 1000;
    tracker.endIdle(1000, 0);
    expect(tracker.requestStarted(socket as unknown as TLSSocket, response())).toBe(false);
    clock.now += 1000;
    tracker.endIdle(1000, 0);
    expect(socket.state).toBe('destroyed');
    expect(tracker.size).toBe(0);
  });
});
