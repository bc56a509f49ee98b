package org.varsparse.viz;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Arrays;

/**
 * Square grey tiles laid out as torchvision's {@code make_grid} does (utils.save_img): {@code perRow} tiles per row,
 * {@code padding} pixels of white (pad_value = 1) between tiles and around the border, cells past the last tile left
 * white. Two additions: rows can be grouped with a wider gap between groups, and the finished grid is upscaled by an
 * integer factor (nearest neighbour) so single pixels stay visible.
 */
final class TileGrid {
    /** The grey level of padding and empty cells: white, as the reference's pad_value = 1. */
    static final int PAD_LEVEL = 255;
    /** A guard against an accidental huge image (64 Mpixel, 64 MiB as 8-bit grey). */
    static final long MAX_PIXELS = 1L << 26;

    private TileGrid() {
    }

    /**
     * Where the tiles go. side: tile width and height in pixels; perRow: tiles per row; groupRows: rows per group
     * (0 for no groups); groupGap: extra pixels between groups; padding: pixels between tiles; scale: upscale factor.
     */
    record Layout(int side, int perRow, int groupRows, int groupGap, int padding, int scale) {
        Layout {
            if (side < 1 || perRow < 1 || groupRows < 0 || groupGap < 0) {
                throw new IllegalArgumentException("tile layout side " + side + ", perRow " + perRow + ", groupRows "
                        + groupRows + ", groupGap " + groupGap + " (need side, perRow >= 1, the others >= 0)");
            }
            if (padding < 0) {
                throw new IllegalArgumentException("padding must be >= 0 pixels, got " + padding);
            }
            if (scale < 1) {
                throw new IllegalArgumentException("scale must be an integer >= 1, got " + scale);
            }
        }

        /** Top-left corner of cell (row, col) in unscaled pixels, as {x, y}. */
        int[] origin(int row, int col) {
            int gaps = groupRows > 0 ? row / groupRows : 0;
            return new int[]{padding + col * (side + padding), padding + row * (side + padding) + gaps * groupGap};
        }
    }

    /** The side of a square image of {@code pixels} pixels; an IllegalArgumentException naming {@code what} if none. */
    static int squareSide(int pixels, String what) {
        int side = (int) Math.round(Math.sqrt(pixels));
        if (pixels < 1 || side * side != pixels) {
            throw new IllegalArgumentException(what + " has " + pixels + " pixels, which is not a square image side×side"
                    + " (e.g. 784 = 28×28)");
        }
        return side;
    }

    /** torchvision's save_image conversion: floor(v·255 + 0.5) clamped to [0, 255], in float32. */
    static int grey(float v) {
        float s = v * 255f + 0.5f;
        return s <= 0f ? 0 : s >= 255f ? 255 : (int) s;
    }

    /**
     * An 8-bit grey image of the tiles. tiles[k] (side·side, row-major, values mapped by {@link #grey}) goes to
     * cell k in row-major cell order; a null tile leaves its cell white. The grid has min(perRow, tiles.length)
     * columns and ceil(tiles.length / perRow) rows.
     */
    static BufferedImage compose(float[][] tiles, Layout layout) {
        if (tiles.length == 0) {
            throw new IllegalArgumentException("no tiles to draw");
        }
        int side = layout.side();
        int cols = Math.min(layout.perRow(), tiles.length);
        int rows = (tiles.length + layout.perRow() - 1) / layout.perRow();
        int[] end = layout.origin(rows - 1, cols - 1);
        long width = ((long) end[0] + side + layout.padding()) * layout.scale();
        long height = ((long) end[1] + side + layout.padding()) * layout.scale();
        if (width * height > MAX_PIXELS) {
            throw new IllegalArgumentException("the image would be " + width + "×" + height + " pixels, over the "
                    + MAX_PIXELS + "-pixel limit; lower the scale (" + layout.scale() + ") or the number of tiles ("
                    + tiles.length + ")");
        }
        Png.headless();
        BufferedImage image = new BufferedImage((int) width, (int) height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = ((DataBufferByte) image.getRaster().getDataBuffer()).getData(); // (height * width), row-major
        Arrays.fill(px, (byte) PAD_LEVEL);
        int w = (int) width;
        int s = layout.scale();
        for (int k = 0; k < tiles.length; k++) {
            float[] tile = tiles[k];
            if (tile == null) {
                continue;
            }
            assert tile.length == side * side : "tile " + k + " has " + tile.length + " values, side " + side;
            int[] o = layout.origin(k / layout.perRow(), k % layout.perRow());
            for (int r = 0; r < side; r++) {
                for (int c = 0; c < side; c++) {
                    byte g = (byte) grey(tile[r * side + c]);
                    int y0 = (o[1] + r) * s;
                    int x0 = (o[0] + c) * s;
                    for (int dy = 0; dy < s; dy++) {
                        Arrays.fill(px, (y0 + dy) * w + x0, (y0 + dy) * w + x0 + s, g);
                    }
                }
            }
        }
        return image;
    }
}
