// Command knative-validate admits rendered Knative Serving objects as Serving's webhook does:
// each serving.knative.dev/v1 Service, Configuration, Route or Revision is decoded with the
// webhook's decoder, defaulted (SetDefaults) and validated (Validate) in a create request's
// context carrying config-defaults, config-features and config-autoscaler, by knative.dev/serving's
// own code. Other objects are skipped.
//
// Usage: knative-validate [-namespace NS] [-config FILE] [FILE ...]   (stdin when no FILE or "-")
//
// -config reads ConfigMaps named config-defaults, config-features or config-autoscaler (as a
// cluster's knative-serving namespace has them); without it every setting is Serving's default.
// Each refusal is printed as `<Kind> <namespace>/<name>: <message>`; the exit status is 1 when
// any object is refused, 2 when the input or configuration cannot be read.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"knative.dev/pkg/apis"
	"knative.dev/pkg/webhook/json"
	"knative.dev/pkg/webhook/resourcesemantics"
	apisconfig "knative.dev/serving/pkg/apis/config"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	asconfig "knative.dev/serving/pkg/autoscaler/config"
	"sigs.k8s.io/yaml"
)

// The serving.knative.dev/v1 kinds of the webhook's own table (cmd/webhook/main.go).
var types = map[schema.GroupVersionKind]resourcesemantics.GenericCRD{
	servingv1.SchemeGroupVersion.WithKind("Revision"):      &servingv1.Revision{},
	servingv1.SchemeGroupVersion.WithKind("Configuration"): &servingv1.Configuration{},
	servingv1.SchemeGroupVersion.WithKind("Route"):         &servingv1.Route{},
	servingv1.SchemeGroupVersion.WithKind("Service"):       &servingv1.Service{},
}

type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

func main() {
	namespace := flag.String("namespace", "default", "namespace of objects that name none (helm template leaves it to the request)")
	configFile := flag.String("config", "", "YAML file with the config-defaults, config-features or config-autoscaler ConfigMaps to apply")
	version := flag.Bool("v", false, "print the knative.dev/serving and knative.dev/pkg versions built in, and exit")
	flag.Parse()
	if *version {
		fmt.Println(builtVersions())
		return
	}
	config, err := loadConfig(*configFile)
	if err != nil {
		fail(err)
	}
	files := flag.Args()
	if len(files) == 0 {
		files = []string{"-"}
	}
	var checked, refused, skipped int
	for _, file := range files {
		docs, err := readDocuments(file)
		if err != nil {
			fail(err)
		}
		for _, doc := range docs {
			ok, known, err := admit(doc, *namespace, config)
			if err != nil {
				fail(fmt.Errorf("%s: %w", file, err))
			}
			switch {
			case !known:
				skipped++
			case !ok:
				checked++
				refused++
			default:
				checked++
			}
		}
	}
	fmt.Printf("%d Knative Serving object(s) checked, %d refused, %d other object(s) skipped\n", checked, refused, skipped)
	if refused > 0 {
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "knative-validate: %v\n", err)
	os.Exit(2)
}

// admit defaults then validates one document as the defaulting and validating webhooks do for a
// create request, and prints every error (and warning) naming the object.
func admit(doc []byte, namespace string, config *apisconfig.Config) (ok, known bool, err error) {
	var h header
	if err := yaml.Unmarshal(doc, &h); err != nil {
		return false, false, fmt.Errorf("document does not parse: %w", err)
	}
	gvk := schema.FromAPIVersionAndKind(h.APIVersion, h.Kind)
	handler, known := types[gvk]
	if !known {
		return true, false, nil
	}
	if h.Metadata.Namespace != "" {
		namespace = h.Metadata.Namespace
	}
	name := fmt.Sprintf("%s %s/%s", h.Kind, namespace, h.Metadata.Name)
	raw, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return false, true, fmt.Errorf("%s: %w", name, err)
	}
	obj := handler.DeepCopyObject().(resourcesemantics.GenericCRD)
	// The webhook decodes with unknown fields allowed (serving's cmd/webhook passes false).
	if err := json.Decode(raw, obj, false); err != nil {
		fmt.Printf("%s: cannot decode incoming new object: %v\n", name, err)
		return false, true, nil
	}
	// The API server sets the request's namespace before admission.
	obj.(metav1.Object).SetNamespace(namespace)

	ctx := apis.WithinCreate(apisconfig.ToContext(context.Background(), config))
	obj.SetDefaults(ctx)
	result := obj.Validate(ctx)
	if result == nil {
		return true, true, nil
	}
	for _, warning := range lines(result.Filter(apis.WarningLevel)) {
		fmt.Printf("%s: warning: %s\n", name, warning)
	}
	refusals := lines(result.Filter(apis.ErrorLevel))
	for _, refusal := range refusals {
		fmt.Printf("%s: %s\n", name, refusal)
	}
	return len(refusals) == 0, true, nil
}

// lines splits a FieldError into one line per wrapped error; a typed nil has none.
func lines(fe *apis.FieldError) []string {
	if fe == nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(fe.Error(), "\n") {
		if strings.TrimSpace(line) != "" {
			out = append(out, line)
		}
	}
	return out
}

func readDocuments(file string) ([][]byte, error) {
	var in io.Reader = os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(in))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) > 0 {
			docs = append(docs, doc)
		}
	}
}

// stripComments drops comment-only lines, so a document that is only comments counts as empty.
func stripComments(doc []byte) []byte {
	var out bytes.Buffer
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out.Write(line)
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}

// loadConfig builds the webhook's config store contents: Serving's defaults, overridden by the
// ConfigMaps in file, parsed by the same constructors the webhook's store uses.
func loadConfig(file string) (*apisconfig.Config, error) {
	config := apisconfig.FromContextOrDefaults(context.Background())
	if file == "" {
		return config, nil
	}
	docs, err := readDocuments(file)
	if err != nil {
		return nil, err
	}
	for _, doc := range docs {
		var cm corev1.ConfigMap
		if err := yaml.Unmarshal(doc, &cm); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if cm.Kind != "ConfigMap" {
			continue
		}
		switch cm.Name {
		case apisconfig.DefaultsConfigName:
			config.Defaults, err = apisconfig.NewDefaultsConfigFromConfigMap(&cm)
		case apisconfig.FeaturesConfigName:
			config.Features, err = apisconfig.NewFeaturesConfigFromConfigMap(&cm)
		case asconfig.ConfigName:
			config.Autoscaler, err = asconfig.NewConfigFromConfigMap(&cm)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: ConfigMap %s: %w", file, cm.Name, err)
		}
	}
	return config, nil
}

func builtVersions() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	var parts []string
	for _, dep := range info.Deps {
		if dep.Path == "knative.dev/serving" || dep.Path == "knative.dev/pkg" {
			parts = append(parts, dep.Path+" "+dep.Version)
		}
	}
	return strings.Join(parts, ", ")
}
