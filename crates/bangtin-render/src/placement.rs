//! Where the board's canvas lands on its output: turned by a quarter, half or three-quarter
//! turn, fitted into the output (or exactly into a region of it, what an LED sending card
//! captures), sampled crisp or smooth.
//!
//! The renderer's own types, not the config file's: the board converts its config into these.
//! Pure arithmetic, tested without a GPU.

use bangtin_layout::Rect;

/// A rectangle of the output, in output pixels (may start off-screen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputRegion {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

/// How the canvas is scaled to the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sampling {
    /// Nearest neighbour when the canvas is enlarged by a whole factor or is an LED-sized
    /// canvas (under 400 pixels a side), smooth otherwise.
    #[default]
    Auto,
    /// Every canvas pixel a crisp block: LED panels.
    Nearest,
    Smooth,
}

/// Where the canvas lands on the output, and how it is sampled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Canvas size.
    pub canvas: (u32, u32),
    /// Clockwise turn: 0, 90, 180, 270.
    pub rotation: u32,
    /// Output size (the window or the headless frame).
    pub output: (u32, u32),
    /// The rectangle of the output the (rotated) canvas fills: x, y, w, h.
    pub rect: (f32, f32, f32, f32),
    /// Nearest-neighbour sampling (crisp LED pixels) rather than bilinear.
    pub nearest: bool,
}

impl Placement {
    /// Places a canvas on an output: into `region` exactly when there is one; otherwise as
    /// large as fits with its aspect kept, centred (whole multiples when sampling nearest).
    pub fn new(
        canvas: (u32, u32),
        rotation: u32,
        output: (u32, u32),
        region: Option<OutputRegion>,
        scaling: Sampling,
    ) -> Placement {
        let (cw, ch) = if rotation % 180 == 90 {
            (canvas.1 as f32, canvas.0 as f32)
        } else {
            (canvas.0 as f32, canvas.1 as f32)
        };
        let (ow, oh) = (output.0.max(1) as f32, output.1.max(1) as f32);
        let led_sized = canvas.0.min(canvas.1) < 400;
        let (rect, whole) = match region {
            Some(r) => {
                let (sx, sy) = (r.width as f32 / cw, r.height as f32 / ch);
                (
                    (r.x as f32, r.y as f32, r.width as f32, r.height as f32),
                    sx.fract() == 0.0 && sy.fract() == 0.0,
                )
            }
            None => {
                let fit = (ow / cw).min(oh / ch);
                let nearest_wanted = match scaling {
                    Sampling::Nearest => true,
                    Sampling::Smooth => false,
                    Sampling::Auto => led_sized,
                };
                let scale = if nearest_wanted && fit >= 1.0 {
                    fit.floor()
                } else {
                    fit
                };
                let (w, h) = (cw * scale, ch * scale);
                (
                    (((ow - w) / 2.0).floor(), ((oh - h) / 2.0).floor(), w, h),
                    scale.fract() == 0.0,
                )
            }
        };
        let nearest = match scaling {
            Sampling::Nearest => true,
            Sampling::Smooth => false,
            Sampling::Auto => led_sized || (whole && rect.2 > cw),
        };
        Placement {
            canvas,
            rotation: rotation % 360,
            output,
            rect,
            nearest,
        }
    }

    /// The affine map from canvas pixels to clip space, as two rows (a, b, c).
    pub fn matrix(&self) -> [[f32; 3]; 2] {
        let (cw, ch) = (self.canvas.0.max(1) as f32, self.canvas.1.max(1) as f32);
        // Canvas pixels -> unit square (u, v), turned clockwise: (u', v') = A (u, v) + t.
        let (a, t): ([[f32; 2]; 2], [f32; 2]) = match self.rotation {
            90 => ([[0.0, -1.0], [1.0, 0.0]], [1.0, 0.0]),
            180 => ([[-1.0, 0.0], [0.0, -1.0]], [1.0, 1.0]),
            270 => ([[0.0, 1.0], [-1.0, 0.0]], [0.0, 1.0]),
            _ => ([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
        };
        let (rx, ry, rw, rh) = self.rect;
        let (ow, oh) = (self.output.0.max(1) as f32, self.output.1.max(1) as f32);
        // Output pixel -> clip: X = px * 2/ow - 1, Y = 1 - py * 2/oh.
        let row = |i: usize, origin: f32, size: f32, out: f32, flip: f32| {
            let k = size * 2.0 / out * flip;
            let c0 = (origin * 2.0 / out - 1.0) * flip;
            [k * a[i][0] / cw, k * a[i][1] / ch, k * t[i] + c0]
        };
        [row(0, rx, rw, ow, 1.0), row(1, ry, rh, oh, -1.0)]
    }

    /// The output pixels a canvas rectangle covers (its turned bounding box, one pixel wider
    /// each side for filtering), clipped to the output: x, y, w, h. `None` if empty.
    pub fn output_rect(&self, r: Rect) -> Option<[u32; 4]> {
        let corners = [
            self.to_output(r.x, r.y),
            self.to_output(r.x + r.w, r.y),
            self.to_output(r.x, r.y + r.h),
            self.to_output(r.x + r.w, r.y + r.h),
        ];
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for (x, y) in corners {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        let clamp = |v: f32, max: u32| (v.max(0.0) as u32).min(max);
        let (ow, oh) = self.output;
        let (x0, y0) = (clamp(x0.floor() - 1.0, ow), clamp(y0.floor() - 1.0, oh));
        let (x1, y1) = (clamp(x1.ceil() + 1.0, ow), clamp(y1.ceil() + 1.0, oh));
        (x1 > x0 && y1 > y0).then(|| [x0, y0, x1 - x0, y1 - y0])
    }

    /// Where a canvas point lands on the output, in output pixels (tests, hit checks).
    pub fn to_output(&self, x: f32, y: f32) -> (f32, f32) {
        let [m0, m1] = self.matrix();
        let cx = m0[0] * x + m0[1] * y + m0[2];
        let cy = m1[0] * x + m1[1] * y + m1[2];
        (
            (cx + 1.0) / 2.0 * self.output.0 as f32,
            (1.0 - cy) / 2.0 * self.output.1 as f32,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f32, f32), b: (f32, f32)) -> bool {
        (a.0 - b.0).abs() < 0.01 && (a.1 - b.1).abs() < 0.01
    }

    #[test]
    fn unrotated_full_screen_is_the_identity_on_pixels() {
        let p = Placement::new((1920, 1080), 0, (1920, 1080), None, Sampling::Auto);
        assert!(!p.nearest);
        assert!(close(p.to_output(0.0, 0.0), (0.0, 0.0)));
        assert!(close(p.to_output(1920.0, 1080.0), (1920.0, 1080.0)));
        assert!(close(p.to_output(100.0, 50.0), (100.0, 50.0)));
    }

    #[test]
    fn quarter_turns_put_the_canvas_corner_where_expected() {
        // A portrait canvas on a landscape monitor mounted turned: canvas top-left goes to the
        // top-right after a clockwise quarter turn, to the bottom-left after three.
        let p = Placement::new((1080, 1920), 90, (1920, 1080), None, Sampling::Auto);
        assert_eq!(p.rect, (0.0, 0.0, 1920.0, 1080.0));
        assert!(close(p.to_output(0.0, 0.0), (1920.0, 0.0)));
        assert!(close(p.to_output(1080.0, 0.0), (1920.0, 1080.0)));
        assert!(close(p.to_output(0.0, 1920.0), (0.0, 0.0)));
        let p = Placement::new((1080, 1920), 270, (1920, 1080), None, Sampling::Auto);
        assert!(close(p.to_output(0.0, 0.0), (0.0, 1080.0)));
        let p = Placement::new((1920, 1080), 180, (1920, 1080), None, Sampling::Auto);
        assert!(close(p.to_output(0.0, 0.0), (1920.0, 1080.0)));
        assert!(close(p.to_output(1920.0, 1080.0), (0.0, 0.0)));
    }

    #[test]
    fn led_canvas_fills_its_region_with_crisp_pixels() {
        let region = OutputRegion {
            x: 100,
            y: 20,
            width: 384,
            height: 192,
        };
        let p = Placement::new((192, 96), 0, (1920, 1080), Some(region), Sampling::Auto);
        assert!(p.nearest);
        assert!(close(p.to_output(0.0, 0.0), (100.0, 20.0)));
        assert!(close(p.to_output(192.0, 96.0), (484.0, 212.0)));
        // Without a region: the largest whole multiple that fits, centred.
        let p = Placement::new((192, 96), 0, (1920, 1080), None, Sampling::Auto);
        assert_eq!(p.rect, (0.0, 60.0, 1920.0, 960.0));
        let p = Placement::new((1280, 720), 0, (1920, 1080), None, Sampling::Nearest);
        assert_eq!(p.rect, (320.0, 180.0, 1280.0, 720.0));
        let p = Placement::new((1280, 720), 0, (1920, 1080), None, Sampling::Auto);
        assert_eq!(p.rect, (0.0, 0.0, 1920.0, 1080.0));
        assert!(!p.nearest);
    }
}
