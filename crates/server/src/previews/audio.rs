//! Sounds (mp3, wav, ogg, m4a): their duration, read by symphonia's
//! demuxers (pure Rust): from the container's header where it says, else
//! by adding up the packets' durations. Nothing is decoded.

use std::fs::File;

use media_chat_protocol::Preview;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use super::{Made, PreviewError};

/// The most packets counted for a sound whose header does not say its
/// length: over an hour of MP3 frames, far more than an upload holds.
const MAX_PACKETS: u64 = 200_000;

/// The sound's duration.
pub(crate) fn preview(file: File, extension: &str) -> Result<Made, PreviewError> {
    let source = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    hint.with_extension(extension);
    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            source,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(PreviewError::decode)?;
    let mut format = probed.format;
    let track = format.default_track().ok_or(PreviewError::Unsupported)?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    let time_base = params
        .time_base
        .or_else(|| {
            params
                .sample_rate
                .map(|rate| symphonia::core::units::TimeBase::new(1, rate))
        })
        .ok_or(PreviewError::Unsupported)?;
    let frames = match params.n_frames {
        Some(frames) => frames,
        None => {
            let mut frames = 0u64;
            let mut packets = 0u64;
            while let Ok(packet) = format.next_packet() {
                packets += 1;
                if packets > MAX_PACKETS {
                    return Err(PreviewError::Unsupported);
                }
                if packet.track_id() == track_id {
                    frames = frames.saturating_add(packet.dur);
                }
            }
            frames
        }
    };
    if frames == 0 {
        return Err(PreviewError::Unsupported);
    }
    let time = time_base.calc_time(frames);
    let duration_ms = time
        .seconds
        .saturating_mul(1000)
        .saturating_add((time.frac * 1000.0).round() as u64);
    Ok(Made {
        preview: Preview::Audio { duration_ms },
        data: Vec::new(),
    })
}
