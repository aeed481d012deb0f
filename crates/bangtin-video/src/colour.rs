//! From a decoded picture's Y′CbCr to R′G′B′: the matrix a shader applies per pixel.
//!
//! Pure: the stream's colorimetry (which matrix, which range) in, a 3x4 affine matrix out,
//! applied to `(Y, Cb, Cr, 1)` with every sample normalised to 0..1 as a texture reads it.
//! The result is gamma-encoded R′G′B′ (0..1), which the shader turns into linear light.

/// The matrix coefficients a stream was encoded with (ITU-R BT.601, BT.709, BT.2020).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matrix {
    Bt601,
    Bt709,
    Bt2020,
}

impl Matrix {
    /// Kr and Kb, the red and blue weights of luma.
    fn weights(self) -> (f64, f64) {
        match self {
            Matrix::Bt601 => (0.299, 0.114),
            Matrix::Bt709 => (0.2126, 0.0722),
            Matrix::Bt2020 => (0.2627, 0.0593),
        }
    }

    /// What a stream that says nothing is taken to be: SD sizes BT.601, larger ones BT.709
    /// (as players and the standards' own practice do).
    pub fn guess(height: u32) -> Matrix {
        if height < 720 {
            Matrix::Bt601
        } else {
            Matrix::Bt709
        }
    }
}

/// How a stream's samples are scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour {
    pub matrix: Matrix,
    /// Full range (0–255) rather than video's limited range (Y 16–235, Cb/Cr 16–240).
    pub full_range: bool,
}

impl Colour {
    /// Rows of R′, G′, B′ as `a·Y + b·Cb + c·Cr + d`, each sample 0..1.
    pub fn to_rgb(self) -> [[f32; 4]; 3] {
        let (kr, kb) = self.matrix.weights();
        let kg = 1.0 - kr - kb;
        // Offsets and scales that bring each sample to Y in 0..1 and Cb, Cr in -0.5..0.5.
        let (y_off, y_scale, c_scale) = if self.full_range {
            (0.0, 1.0, 1.0)
        } else {
            (16.0 / 255.0, 255.0 / 219.0, 255.0 / 224.0)
        };
        let c_off = 128.0 / 255.0;
        // R = Y + 2(1-Kr)·Cr, B = Y + 2(1-Kb)·Cb, G = (Y - Kr·R - Kb·B) / Kg.
        let cr_r = 2.0 * (1.0 - kr);
        let cb_b = 2.0 * (1.0 - kb);
        let cb_g = -kb * cb_b / kg;
        let cr_g = -kr * cr_r / kg;
        let row = |cb: f64, cr: f64| {
            let a = y_scale;
            let b = cb * c_scale;
            let c = cr * c_scale;
            let d = -a * y_off - (b + c) * c_off;
            [a as f32, b as f32, c as f32, d as f32]
        };
        [row(0.0, cr_r), row(cb_g, cr_g), row(cb_b, 0.0)]
    }

    /// R′G′B′ (0..=255) of one 8-bit sample triple, as the shader computes it (for tests and
    /// for checking pictures on the CPU).
    pub fn rgb_of(self, y: u8, cb: u8, cr: u8) -> [u8; 3] {
        let m = self.to_rgb();
        let v = [y, cb, cr].map(|s| f32::from(s) / 255.0);
        m.map(|r| {
            let x = r[0] * v[0] + r[1] * v[1] + r[2] * v[2] + r[3];
            (x.clamp(0.0, 1.0) * 255.0).round() as u8
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(a: [u8; 3], b: [u8; 3]) -> bool {
        a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 2)
    }

    #[test]
    fn limited_range_black_and_white_are_16_and_235() {
        for matrix in [Matrix::Bt601, Matrix::Bt709, Matrix::Bt2020] {
            let c = Colour {
                matrix,
                full_range: false,
            };
            assert_eq!(c.rgb_of(16, 128, 128), [0, 0, 0], "{matrix:?}");
            assert_eq!(c.rgb_of(235, 128, 128), [255, 255, 255], "{matrix:?}");
            assert!(near(c.rgb_of(126, 128, 128), [128, 128, 128]), "{matrix:?}");
        }
    }

    #[test]
    fn full_range_greys_are_their_own_value() {
        let c = Colour {
            matrix: Matrix::Bt709,
            full_range: true,
        };
        for v in [0u8, 77, 200, 255] {
            assert_eq!(c.rgb_of(v, 128, 128), [v, v, v]);
        }
    }

    #[test]
    fn primaries_of_the_published_tables() {
        // BT.601 limited range: red is (81, 90, 240), green (145, 54, 34), blue (41, 240, 110).
        let sd = Colour {
            matrix: Matrix::Bt601,
            full_range: false,
        };
        assert!(
            near(sd.rgb_of(81, 90, 240), [255, 0, 0]),
            "{:?}",
            sd.rgb_of(81, 90, 240)
        );
        assert!(near(sd.rgb_of(145, 54, 34), [0, 255, 0]));
        assert!(near(sd.rgb_of(41, 240, 110), [0, 0, 255]));
        // BT.709 limited range: red is (63, 102, 240), green (173, 42, 26), blue (32, 240, 118).
        let hd = Colour {
            matrix: Matrix::Bt709,
            full_range: false,
        };
        assert!(
            near(hd.rgb_of(63, 102, 240), [255, 0, 0]),
            "{:?}",
            hd.rgb_of(63, 102, 240)
        );
        assert!(near(hd.rgb_of(173, 42, 26), [0, 255, 0]));
        assert!(near(hd.rgb_of(32, 240, 118), [0, 0, 255]));
        // The same samples read with the wrong matrix give another colour: the choice matters.
        assert!(!near(sd.rgb_of(173, 42, 26), [0, 255, 0]));
    }

    #[test]
    fn unlabelled_streams_follow_their_size() {
        assert_eq!(Matrix::guess(480), Matrix::Bt601);
        assert_eq!(Matrix::guess(576), Matrix::Bt601);
        assert_eq!(Matrix::guess(720), Matrix::Bt709);
        assert_eq!(Matrix::guess(1080), Matrix::Bt709);
    }
}
