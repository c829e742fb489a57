/** The end of a turn of the event loop, which reviews wait for so that a turn's reviews run together (src/admission/turn.ts). */
import { endOfTurn } from '../../../src/admission/turn.js';

describe('endOfTurn', () => {
  test('callers in one turn share one end; the next turn has its own', async () => {
    const first = endOfTurn();
    expect(endOfTurn()).toBe(first);
    await first;
    const next = endOfTurn();
    expect(next).not.toBe(first);
    await next;
  });

  test('comes after everything already due in this turn: microtasks, and immediates queued before it', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('immediate queued before'));
    const end = endOfTurn().then(() => order.push('end of turn'));
    // A long chain of microtasks: a promise-based "end" would slip in between them.
    let chain = Promise.resolve();
    for (let step = 0; step < 100; step += 1) chain = chain.then(() => undefined);
    void chain.then(() => order.push('microtasks'));
    await end;
    expect(order).toEqual(['microtasks', 'immediate queued before', 'end of turn']);
  });
});
