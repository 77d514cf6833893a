// SVG to PNG through rsvg-convert (Debian's librsvg2-bin): the one external step of the drawing.
import { spawnSync } from "child_process";

export const RSVG_CONVERT = "rsvg-convert";
export const RSVG_PACKAGE = "librsvg2-bin";

/** The 8 bytes every PNG file starts with. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function isPng(data: Buffer): boolean {
    return data.length > PNG_SIGNATURE.length && data.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE);
}

/** Renders `svg` to PNG bytes; a missing rsvg-convert is an error naming the package to install. */
export function svgToPng(svg: string, command = RSVG_CONVERT): Buffer {
    const r = spawnSync(command, ["--format", "png"], { input: svg, maxBuffer: 64 << 20, timeout: 60_000 });
    // EPIPE: the converter exited without reading the SVG; its status says how.
    if (r.error && (r.error as NodeJS.ErrnoException).code !== "EPIPE") {
        if ((r.error as NodeJS.ErrnoException).code === "ENOENT") {
            throw new Error(`${command} not found: install Debian's ${RSVG_PACKAGE} (apt-get install ${RSVG_PACKAGE}, or scripts/ci-deps.sh)`);
        }
        throw new Error(`${command} failed to run: ${r.error.message}`);
    }
    if (r.status !== 0) {
        const stderr = r.stderr.toString().trim();
        throw new Error(`${command} exited ${r.status ?? `on ${r.signal}`}${stderr ? `: ${stderr}` : ""}`);
    }
    if (!isPng(r.stdout)) throw new Error(`${command} wrote no PNG (${r.stdout.length} bytes)`);
    return r.stdout;
}
