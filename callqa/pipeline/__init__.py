"""Audio in, verdicts out, with no database: the analyzer (`analyzer.CallAnalyzer`), the second reading of a
doubtful window, batch transcription, training-data augmentation and evaluation against labelled calls.

The pipeline composes the domain packages; it never imports `callqa.services` or `callqa.cli`."""
