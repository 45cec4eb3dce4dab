//! Named User Timing measures (`leadlens:<step>`) around the steps worth
//! watching: loading, typing, replaying. They show in the browser's
//! performance tools and the browser benchmarks read them.

/// Times a step as a User Timing measure named `leadlens:<step>`, visible
/// in the browser's performance tools and to benchmarks.
pub struct Step(String);

impl Step {
    pub fn start(step: &str) -> Step {
        let name = format!("leadlens:{step}");
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark(&format!("{name}:start"));
        }
        Step(name)
    }

    pub fn end(self) {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.measure_with_start_mark(&self.0, &format!("{}:start", self.0));
        }
    }

    /// Forgets the step: it turned out to do nothing worth a measure.
    pub fn discard(self) {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            performance.clear_marks_with_mark_name(&format!("{}:start", self.0));
        }
    }
}
