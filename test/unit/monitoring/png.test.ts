import { expect } from "chai";
import { PNG_SIGNATURE, isPng, svgToPng } from "../../../scripts/monitoring/png";

describe("monitoring/png: rsvg-convert adapter", () => {
    it("a missing rsvg-convert is an error naming the Debian package", () => {
        expect(() => svgToPng("<svg/>", "/nonexistent/rsvg-convert"))
            .to.throw("/nonexistent/rsvg-convert not found: install Debian's librsvg2-bin (apt-get install librsvg2-bin, or scripts/ci-deps.sh)");
    });

    it("a converter that fails or writes no PNG is an error", () => {
        // false exits without reading the SVG (EPIPE on a large one): still its exit status.
        for (const svg of ["<svg/>", `<svg>${" ".repeat(1 << 20)}</svg>`]) {
            expect(() => svgToPng(svg, "false")).to.throw(/^false exited 1$/);
        }
        // echo prints its arguments ("--format png\n") and exits 0.
        expect(() => svgToPng("<svg/>", "echo")).to.throw("echo wrote no PNG (13 bytes)");
    });

    it("isPng checks the signature", () => {
        expect(isPng(Buffer.concat([PNG_SIGNATURE, Buffer.from("IHDR")]))).to.equal(true);
        expect(isPng(PNG_SIGNATURE)).to.equal(false);
        expect(isPng(Buffer.from("GIF89a-not-a-png"))).to.equal(false);
    });
});
