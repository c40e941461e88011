import { expect } from 'chai';
import { ORDER_STATUSES, ORDER_TRANSITIONS, assertOrderTransition, canTransition, type OrderAction } from '../../src/dispatch/order.state-machine.ts';

describe('order state machine', () => {
  it('walks the main path of PRODUCT.md §7', () => {
    const path: [OrderAction, string][] = [['offer', 'offered'], ['accept', 'accepted'], ['assign', 'assigned'], ['check_in', 'in_service'], ['complete', 'completed'], ['confirm', 'confirmed'], ['settle', 'settled']];
    let state: (typeof ORDER_STATUSES)[number] = 'pending_dispatch';
    for (const [action, expected] of path) {
      state = assertOrderTransition(state, action);
      expect(state).to.equal(expected);
    }
  });

  it('answers every legal move of the table and refuses every other with INVALID_TRANSITION', () => {
    let legal = 0;
    let illegal = 0;
    for (const from of ORDER_STATUSES) {
      for (const action of Object.keys(ORDER_TRANSITIONS) as OrderAction[]) {
        if (canTransition(from, action)) {
          expect(assertOrderTransition(from, action)).to.equal(ORDER_TRANSITIONS[action].to);
          legal += 1;
        } else {
          expect(() => assertOrderTransition(from, action)).to.throw().with.property('code', 'INVALID_TRANSITION');
          illegal += 1;
        }
      }
    }
    expect(legal).to.equal(Object.values(ORDER_TRANSITIONS).reduce((sum, t) => sum + t.from.length, 0));
    expect(illegal).to.be.greaterThan(100);
  });

  it('never leaves the final states except by dispute of a settled or confirmed order', () => {
    for (const action of Object.keys(ORDER_TRANSITIONS) as OrderAction[]) {
      expect(canTransition('cancelled', action), `cancelled ${action}`).to.equal(false);
      expect(canTransition('rejected', action), `rejected ${action}`).to.equal(false);
    }
    expect(canTransition('settled', 'dispute')).to.equal(true);
    expect(canTransition('in_service', 'cancel')).to.equal(false);
  });
});
