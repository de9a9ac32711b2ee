package opstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// crdSchema is the part of a CRD's OpenAPI v3 schema (apiextensions
// JSONSchemaProps) that structural validation needs.
type crdSchema struct {
	Type                 string                `json:"type"`
	Properties           map[string]*crdSchema `json:"properties"`
	AdditionalProperties *crdSchema            `json:"additionalProperties"`
	Items                *crdSchema            `json:"items"`
	Required             []string              `json:"required"`
	Enum                 []any                 `json:"enum"`
	IntOrString          bool                  `json:"x-kubernetes-int-or-string"`
	PreserveUnknown      bool                  `json:"x-kubernetes-preserve-unknown-fields"`
}

// loadCRDSchema returns the schema of version of the CRD in file.
func loadCRDSchema(file, version string) (*crdSchema, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var crd struct {
		Spec struct {
			Versions []struct {
				Name   string `json:"name"`
				Schema struct {
					OpenAPIV3Schema *crdSchema `json:"openAPIV3Schema"`
				} `json:"schema"`
			} `json:"versions"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &crd); err != nil {
		return nil, fmt.Errorf("decode crd %s: %w", file, err)
	}
	for _, v := range crd.Spec.Versions {
		if v.Name == version && v.Schema.OpenAPIV3Schema != nil {
			return v.Schema.OpenAPIV3Schema, nil
		}
	}
	return nil, fmt.Errorf("crd %s has no schema for version %s", file, version)
}

// validate checks v (decoded with json.Number) against s the way the API
// server does for a structural schema, except that an unknown field is an
// error rather than pruned.
func (s *crdSchema) validate(path string, v any) []error {
	if s.IntOrString {
		switch v.(type) {
		case string, json.Number:
			return nil
		}
		return []error{fmt.Errorf("%s: %v is neither an integer nor a string", path, v)}
	}
	var errs []error
	if len(s.Enum) > 0 && !slices.ContainsFunc(s.Enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		errs = append(errs, fmt.Errorf("%s: %v is not one of %v", path, v, s.Enum))
	}
	switch s.Type {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return append(errs, fmt.Errorf("%s: %T is not an object", path, v))
		}
		for _, r := range s.Required {
			if _, ok := obj[r]; !ok {
				errs = append(errs, fmt.Errorf("%s: missing required field %q", path, r))
			}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub := s.Properties[k]
			if sub == nil {
				sub = s.AdditionalProperties
			}
			switch {
			case sub != nil:
				errs = append(errs, sub.validate(path+"."+k, obj[k])...)
			case !s.PreserveUnknown:
				errs = append(errs, fmt.Errorf("%s: unknown field %q", path, k))
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return append(errs, fmt.Errorf("%s: %T is not an array", path, v))
		}
		for i, e := range arr {
			errs = append(errs, s.Items.validate(fmt.Sprintf("%s[%d]", path, i), e)...)
		}
	case "string":
		if _, ok := v.(string); !ok {
			errs = append(errs, fmt.Errorf("%s: %v is not a string", path, v))
		}
	case "integer":
		if n, ok := v.(json.Number); !ok || strings.ContainsAny(n.String(), ".eE") {
			errs = append(errs, fmt.Errorf("%s: %v is not an integer", path, v))
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			errs = append(errs, fmt.Errorf("%s: %v is not a number", path, v))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			errs = append(errs, fmt.Errorf("%s: %v is not a boolean", path, v))
		}
	default:
		errs = append(errs, fmt.Errorf("%s: schema type %q is not supported by this test", path, s.Type))
	}
	return errs
}

var scaledObjectSchema = sync.OnceValues(func() (*crdSchema, error) {
	return loadCRDSchema("testdata/keda.sh_scaledobjects.yaml", "v1alpha1")
})

// scaledObject is a KEDA ScaledObject. Decoding validates the whole object
// against KEDA's CRD schema and the metadata strictly against ObjectMeta,
// then keeps the fields the tests read.
type scaledObject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		ScaleTargetRef struct {
			Name string `json:"name"`
		} `json:"scaleTargetRef"`
		MinReplicaCount *int32 `json:"minReplicaCount"`
		Triggers        []struct {
			Type     string            `json:"type"`
			Metadata map[string]string `json:"metadata"`
		} `json:"triggers"`
	} `json:"spec"`
}

func (so *scaledObject) UnmarshalJSON(data []byte) error {
	schema, err := scaledObjectSchema()
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return err
	}
	// The API server validates metadata itself, against ObjectMeta.
	meta, err := json.Marshal(obj["metadata"])
	if err != nil {
		return err
	}
	delete(obj, "metadata")
	if err := errors.Join(schema.validate("ScaledObject", obj)...); err != nil {
		return err
	}
	if err := decodeStrict(meta, &so.ObjectMeta); err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	type plain scaledObject // without this method
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	p.ObjectMeta = so.ObjectMeta
	*so = scaledObject(p)
	return nil
}

func TestScaledObjectSchemaCatchesMistakes(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{"unknown spec field", "spec:\n  scaleTargetRef: {name: w}\n  triggers: []\n  minReplicas: 2\n"},
		{"unknown trigger field", "spec:\n  scaleTargetRef: {name: w}\n  triggers:\n    - type: nats-jetstream\n      metadata: {}\n      metaData: {}\n"},
		{"missing scale target", "spec:\n  triggers: []\n"},
		{"metadata value not a string", "spec:\n  scaleTargetRef: {name: w}\n  triggers:\n    - type: nats-jetstream\n      metadata: {lagThreshold: 10}\n"},
		{"integer as string", "spec:\n  scaleTargetRef: {name: w}\n  triggers: []\n  maxReplicaCount: \"10\"\n"},
		{"unknown metadata field", "metadata:\n  label: {a: b}\nspec:\n  scaleTargetRef: {name: w}\n  triggers: []\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			js, err := yaml.YAMLToJSON([]byte("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\n" + tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			err = decodeStrict(js, &scaledObject{})
			if err == nil {
				t.Fatalf("decode %q = nil, want an error", tc.doc)
			}
			t.Logf("rejected: %v", err)
		})
	}
}
