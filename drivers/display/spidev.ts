/**
 * An SPI link on Linux spidev (/dev/spidevB.C) through `spi-device` (fivdi, the author of onoff;
 * an optional native dependency). Loaded only when an SPI display is configured, so a kiosk
 * without one never loads the addon, and a machine where it failed to build reports the display
 * absent instead of refusing to start.
 */
import { DeviceError, DeviceErrorCode, deviceErrorFromErrno } from '../device-error.js';
import type { SpiFrame } from './st7920-lcd.js';

/** What the LCD needs from a bus: write frames in order, each followed by its delay. */
export interface SpiLink {
  write(frames: readonly SpiFrame[]): Promise<void>;
  close(): Promise<void>;
}

export type SpiOpen = () => Promise<SpiLink>;

export interface SpidevOptions {
  bus: number;
  device: number;
  speedHz: number;
  /** 0 or 3: both sample on the rising clock edge, which is where the ST7920 latches. */
  mode: 0 | 3;
}

/** The slice of spi-device's API used here (the package ships no types). */
interface SpiDeviceModule {
  open(bus: number, device: number, options: object, cb: (err: Error | null) => void): SpiDeviceHandle;
}
interface SpiDeviceHandle {
  transfer(message: object[], cb: (err: Error | null) => void): void;
  close(cb: (err: Error | null) => void): void;
}

/** One SPI message per frame batch; the kernel applies each transfer's delay after its last bit. */
const BATCH = 64;

export function spidevPath(o: Pick<SpidevOptions, 'bus' | 'device'>): string {
  return `/dev/spidev${o.bus}.${o.device}`;
}

export function spidevOpen(o: SpidevOptions): SpiOpen {
  const where = spidevPath(o);
  return async () => {
    let spi: SpiDeviceModule;
    try {
      // A specifier in a variable: the package ships no types, its shape is declared above.
      const name = 'spi-device';
      spi = (await import(name)) as SpiDeviceModule;
    } catch (e) {
      throw new DeviceError(DeviceErrorCode.Unavailable, 'display', 'spi-device is not installed', {
        where,
        hint: 'install the optional npm package spi-device (needs build-essential)',
        cause: e,
      });
    }
    const handle = await new Promise<SpiDeviceHandle>((resolve, reject) => {
      const h = spi.open(o.bus, o.device, { mode: o.mode, maxSpeedHz: o.speedHz }, (err) => {
        if (err) reject(deviceErrorFromErrno('display', where, err, 'spi'));
        else resolve(h);
      });
    });
    return {
      async write(frames) {
        for (let i = 0; i < frames.length; i += BATCH) {
          const message = frames.slice(i, i + BATCH).map((f) => ({
            sendBuffer: f.bytes,
            byteLength: f.bytes.length,
            speedHz: o.speedHz,
            microSecondDelay: f.delayUs,
          }));
          await new Promise<void>((resolve, reject) => {
            handle.transfer(message, (err) => {
              if (err) reject(deviceErrorFromErrno('display', where, err, 'spi'));
              else resolve();
            });
          });
        }
      },
      close: () =>
        new Promise<void>((resolve) => {
          handle.close(() => resolve());
        }),
    };
  };
}
