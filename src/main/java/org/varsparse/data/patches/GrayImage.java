package org.varsparse.data.patches;

import java.awt.image.BufferedImage;

/**
 * An 8-bit grayscale picture, row-major: the photo resized so that its shorter side is {@value #SHORT_SIDE}
 * (torchvision {@code Resize(256)}, PIL bilinear) and converted with PIL's "L" formula
 * (0.299R + 0.587G + 0.114B, rounded). Grayscale is per pixel, so converting before cropping gives the same
 * crop as the reference's Resize → RandomCrop → Grayscale.
 *
 * @param width  columns
 * @param height rows
 * @param pixels (height×width) gray levels 0..255
 */
public record GrayImage(int width, int height, int[] pixels) {
    public static final int SHORT_SIDE = 256;

    public GrayImage {
        if (width < 1 || height < 1 || pixels.length != width * height) {
            throw new IllegalArgumentException("gray image " + width + "×" + height + " with " + pixels.length + " pixels");
        }
    }

    /** The gray level at row r, column c. */
    public int at(int r, int c) {
        return pixels[r * width + c];
    }

    /** Resize (shorter side {@code shortSide}, bilinear as PIL, antialiased when shrinking), then PIL "L". */
    public static GrayImage of(BufferedImage img, int shortSide) {
        int w = img.getWidth(), h = img.getHeight();
        int nw, nh;
        if (w <= h) { // torchvision Resize(int): the shorter side to size, the other int(size * long / short)
            nw = shortSide;
            nh = (int) ((long) shortSide * h / w);
        } else {
            nh = shortSide;
            nw = (int) ((long) shortSide * w / h);
        }
        float[][] rgb = new float[3][w * h]; // (3, h×w)
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            rgb[0][i] = (argb[i] >> 16) & 0xff;
            rgb[1][i] = (argb[i] >> 8) & 0xff;
            rgb[2][i] = argb[i] & 0xff;
        }
        int[][] resized = new int[3][];
        for (int ch = 0; ch < 3; ch++) {
            float[] horiz = resample(rgb[ch], w, h, nw, true);      // (h×nw)
            float[] both = resample(horiz, nw, h, nh, false);       // (nh×nw)
            int[] q = new int[both.length];
            for (int i = 0; i < q.length; i++) {
                q[i] = clamp(Math.round(both[i]));
            }
            resized[ch] = q;
        }
        int[] gray = new int[nw * nh];
        for (int i = 0; i < gray.length; i++) { // PIL ImagingConvert RGB→L: (R·19595 + G·38470 + B·7471 + 0x8000) >> 16
            gray[i] = (resized[0][i] * 19595 + resized[1][i] * 38470 + resized[2][i] * 7471 + 0x8000) >> 16;
        }
        return new GrayImage(nw, nh, gray);
    }

    /**
     * One separable pass of PIL's bilinear filter (triangle kernel, support 1 scaled by the shrink factor, so
     * it antialiases when shrinking; weights normalized per output pixel; sample centres at (i + 0.5)·scale).
     * Along x when {@code alongX}, else along y. Intermediate values stay float (PIL rounds to uint8 between
     * the passes; the difference is at most one gray level).
     */
    private static float[] resample(float[] src, int w, int h, int newLen, boolean alongX) {
        int len = alongX ? w : h;
        double scale = (double) len / newLen;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale; // bilinear support 1.0
        int[] lo = new int[newLen];
        double[][] weights = new double[newLen][];
        for (int i = 0; i < newLen; i++) {
            double centre = (i + 0.5) * scale;
            int xmin = Math.max(0, (int) Math.floor(centre - support + 0.5));
            int xmax = Math.min(len, (int) Math.floor(centre + support + 0.5));
            double[] k = new double[Math.max(0, xmax - xmin)];
            double sum = 0;
            for (int x = 0; x < k.length; x++) {
                double t = Math.abs((x + xmin - centre + 0.5) / filterScale);
                k[x] = t < 1 ? 1 - t : 0;
                sum += k[x];
            }
            for (int x = 0; x < k.length; x++) {
                k[x] = sum == 0 ? 0 : k[x] / sum;
            }
            lo[i] = xmin;
            weights[i] = k;
        }
        int outW = alongX ? newLen : w, outH = alongX ? h : newLen;
        float[] out = new float[outW * outH];
        for (int r = 0; r < outH; r++) {
            for (int c = 0; c < outW; c++) {
                int i = alongX ? c : r;
                double[] k = weights[i];
                double s = 0;
                for (int x = 0; x < k.length; x++) {
                    int sr = alongX ? r : lo[i] + x, sc = alongX ? lo[i] + x : c;
                    s += k[x] * src[sr * w + sc];
                }
                out[r * outW + c] = (float) s;
            }
        }
        return out;
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(255, v);
    }
}
