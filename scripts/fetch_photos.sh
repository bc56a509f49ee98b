#!/usr/bin/env bash
# Fetches the default training photos for the patch-* presets (DATA.md "Natural images"): 12 nature photos of
# Debian mate-backgrounds and 11 photographs of plasma-workspace-wallpapers (2560x1600), GPL-2+/LGPL-3, never
# committed. apt-get download + dpkg-deb -x (no install), every file checked against the SHA-256 below, then
# copied into DIR (default: $VARSPARSE_DATA/photos, else ~/.cache/varsparse/photos). Train with
#   ./run.sh train --preset patch-vdl --photos DIR
# (the photos are split by image into training, validation and test).
set -euo pipefail
dest="${1:-${VARSPARSE_DATA:-$HOME/.cache/varsparse}/photos}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"
( cd "$work" && apt-get download mate-backgrounds plasma-workspace-wallpapers >/dev/null )
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/x"; done
while read -r sum path; do
  f="$work/x/$path"
  [ -f "$f" ] || { echo "fetch_photos: $path is missing from the packages" >&2; exit 1; }
  echo "$sum  $f" | sha256sum -c --quiet - || { echo "fetch_photos: $path: SHA-256 mismatch" >&2; exit 1; }
  case "$path" in
    usr/share/wallpapers/*) name="$(echo "$path" | cut -d/ -f4).jpg" ;;
    *) name="$(basename "$path")" ;;
  esac
  cp "$f" "$dest/$name"
done <<'LIST'
5c30118205982da441bf7e6a1ada636a8a0be879408140b3148280c665ed6bce  usr/share/backgrounds/mate/nature/Aqua.jpg
f7aac0dcc2e06d0491643e84df3da1d9db7c4610f58806a880d56e074799f600  usr/share/backgrounds/mate/nature/Blinds.jpg
8a67c2cb0be8c46b70c237311a4fa4d2b4ac7d39568135384787801fa5cc9a91  usr/share/backgrounds/mate/nature/Dune.jpg
972b0a0c4e5e3fa93f4f244fc84bc64b121a5eac3aaa5856f1308c1f38a02f8e  usr/share/backgrounds/mate/nature/FreshFlower.jpg
d3095ee09d425ef23d27155412136cf14fc3c9af76ca58b452f55e23da324e78  usr/share/backgrounds/mate/nature/Garden.jpg
8fa0de0aa4089f7319c9fb7a6d006d4cab6023e8c8853731557cff53567b4832  usr/share/backgrounds/mate/nature/GreenMeadow.jpg
e35a9a4126ef969c90b29c038058c5a575a20eadd84106a37bf1fa9931e7b61d  usr/share/backgrounds/mate/nature/LadyBird.jpg
3e4ea9671c28c90a86cf67b3db9daf18c4741587c596333a7529ca589aaa0c16  usr/share/backgrounds/mate/nature/RainDrops.jpg
77ca53077831d3237f73393a91fc879158abc046d852941c26e90de336356957  usr/share/backgrounds/mate/nature/Storm.jpg
665e5abf8a5399070a91a9a8e455fe071e5b61697ff78fdeda4e9843ef545aeb  usr/share/backgrounds/mate/nature/TwoWings.jpg
19c78500ac00a622e19907ab9cc7d06d46fe08c4a6142759a84195696150ec07  usr/share/backgrounds/mate/nature/Wood.jpg
254da96256acb7add685679775a04d1e4a5bc8cd13e5a5a3d61351ce198a5306  usr/share/backgrounds/mate/nature/YellowFlower.jpg
c272434ef39f2abf1ed48a15a8910088020f3165329a5092f3940ec9464bc05f  usr/share/wallpapers/BytheWater/contents/images/2560x1600.jpg
05bef6722fc0ed81292cceb3ed026c38d17e510f3c84be7d68610c2b1a723c3f  usr/share/wallpapers/ColdRipple/contents/images/2560x1600.jpg
6e0f3a72feb5a4a9fec191b77e34874c3c69e2d93040deb3f07773e73385023d  usr/share/wallpapers/ColorfulCups/contents/images/2560x1600.jpg
8e3703fae3a3c217b1fc2b399b706cd3720584268d071ba153e4809daa55f1ce  usr/share/wallpapers/DarkestHour/contents/images/2560x1600.jpg
586682dcb362b9f620068f10138f87d0d3649939aef238adc5807cb951976a7a  usr/share/wallpapers/EveningGlow/contents/images/2560x1600.jpg
95603a6560c7e8d50e0e03b3f4adbe39c5258c72528e74e4ecaea1daf4e499de  usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg
88c31d8944b7e6935d1b9a296654c692f0772cb512491713eb30a972a604c0ed  usr/share/wallpapers/Grey/contents/images/2560x1600.jpg
bdca288ce296a981e80659c021cf707caddc702c0c8d4247e60bd618476d47f8  usr/share/wallpapers/Kite/contents/images/2560x1600.jpg
cb507baf1dafdcae362264f3aba9483ed4be5f6c9fdd770f0ec0920c6d9e80fd  usr/share/wallpapers/OneStandsOut/contents/images/2560x1600.jpg
7477457d7f17b736259f1b021864778ad4ba802cf3214e6728181ff29126bba8  usr/share/wallpapers/Path/contents/images/2560x1600.jpg
c868b50789591dd42910153c768053f1ba0a98cb36bbfc2b7a96a1045d0477f8  usr/share/wallpapers/summer_1am/contents/images/2560x1600.jpg
LIST
echo "fetch_photos: 23 photos in $dest"
