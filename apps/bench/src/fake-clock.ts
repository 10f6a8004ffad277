import * as FakeTimers from '@sinonjs/fake-timers';

type InstalledClock = ReturnType<typeof FakeTimers.install>;

/** Runs `work` with Date and timers faked, and restores them whatever happens. */
export async function withFakeClock<T>(work: (clock: InstalledClock) => Promise<T>): Promise<T> {
  const clock = FakeTimers.install({
    toFake: ['setTimeout', 'clearTimeout', 'Date'],
    now: Date.UTC(2026, 10, 28),
  });
  try {
    return await work(clock);
  } finally {
    clock.uninstall();
  }
}
