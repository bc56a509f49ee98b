"""Makes src/test/resources/photos/chelsea_resized_L.png: skimage's chelsea.png (CC0) resized as torchvision
Resize(256) does (shorter side 256, PIL bilinear) and converted with PIL "L". Run with /usr/bin/python3 (PIL 9.4).
Usage: python3 scripts/make_patch_fixtures.py <skimage data dir> <out dir>"""
import sys
from PIL import Image

src, out = sys.argv[1], sys.argv[2]
img = Image.open(f"{src}/chelsea.png").convert("RGB")
w, h = img.size
if w <= h:
    size = (256, int(256 * h / w))
else:
    size = (int(256 * w / h), 256)
img.resize(size, Image.BILINEAR).convert("L").save(f"{out}/chelsea_resized_L.png")
print(size)
