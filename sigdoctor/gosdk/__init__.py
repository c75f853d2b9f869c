"""Models of how the Go AWS SDKs (aws-sdk-go v1, aws-sdk-go-v2) choose credentials — pure Python, no Go needed."""
