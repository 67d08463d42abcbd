/**
 * TILT: when the timer ran too late (a stall) or the clock went backwards, the sentinel's
 * notion of elapsed time cannot be trusted; it keeps monitoring but stops acting for
 * tilt-period after the last such event.
 * Pure: the previous tick time, the state and now in; a transition out.
 */

export type TiltTransition = 'enter' | 'exit' | 'stay';

export interface TiltFacts {
  readonly tilt: boolean;
  readonly tiltStartTime: number;
  readonly previousTickTime: number;
}

/**
 * Entered (again) when the time since the previous timer run is negative or above tilt-trigger;
 * left once tilt-period has passed since it was last entered (at exactly tilt-period, as redis:
 * it stays only while less than tilt-period has passed).
 */
export function tiltTransition(f: TiltFacts, now: number, tiltTrigger: number, tiltPeriod: number): TiltTransition {
  const delta = now - f.previousTickTime;
  if (delta < 0 || delta > tiltTrigger) return 'enter';
  if (f.tilt && now - f.tiltStartTime >= tiltPeriod) return 'exit';
  return 'stay';
}

/** Why TILT is entered: the clock went backwards, or the timer ran too late (a stall, a jump forward). */
export function tiltCause(previousTickTime: number, now: number): 'clock-backwards' | 'timer-stall' {
  return now < previousTickTime ? 'clock-backwards' : 'timer-stall';
}
