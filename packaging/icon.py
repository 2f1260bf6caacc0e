"""Draw the application icon: inspector_app/assets/inspector.png (256 px) and, for the
Windows build and installer, packaging/windows/inspector.ico.

    python packaging/icon.py

A blue rounded square with 检 (check) in the bundled WenQuanYi Micro Hei, a white
magnifying glass and a red seal dot. Pillow only; run again after changing it.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
PNG = ROOT / "inspector_app" / "assets" / "inspector.png"
ICO = ROOT / "packaging" / "windows" / "inspector.ico"
FONT = ROOT / "resources" / "fonts" / "wqy-microhei-subset.ttf"
SIZE = 1024  # drawn large, then scaled down smoothly


def draw() -> Image.Image:
    s = SIZE
    image = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    d.rounded_rectangle([s * 0.04, s * 0.04, s * 0.96, s * 0.96], radius=s * 0.2,
                        fill=(24, 92, 168, 255))
    font = ImageFont.truetype(str(FONT), int(s * 0.50), index=0)
    d.text((s * 0.38, s * 0.40), "检", font=font, fill=(255, 255, 255, 255), anchor="mm")
    # the magnifying glass, lower right
    cx, cy, r, w = s * 0.71, s * 0.71, s * 0.12, int(s * 0.05)
    d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(255, 255, 255, 255), width=w)
    d.line([(cx + r * 0.72, cy + r * 0.72), (s * 0.88, s * 0.88)], fill=(255, 255, 255, 255),
           width=int(w * 1.5))
    # the seal dot, upper right
    d.ellipse([s * 0.74, s * 0.12, s * 0.88, s * 0.26], fill=(214, 48, 49, 255))
    return image


def main() -> None:
    big = draw()
    PNG.parent.mkdir(parents=True, exist_ok=True)
    big.resize((256, 256), Image.Resampling.LANCZOS).save(PNG, optimize=True)
    ICO.parent.mkdir(parents=True, exist_ok=True)
    big.resize((256, 256), Image.Resampling.LANCZOS).save(
        ICO, sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    print(f"wrote {PNG.relative_to(ROOT)} and {ICO.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
