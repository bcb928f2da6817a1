//! `#[derive(Row)]`: a struct whose fields are Spark columns. Generates the Arrow fields, a
//! column-per-field builder (rows to Arrow), a column-per-field reader (Arrow to rows), and the
//! `SparkType`/`Row` impls that let rows nest as structs.

use std::collections::{HashMap, HashSet};

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Fields, LitStr, Path};

use crate::attr;
use crate::ctxt::Ctxt;
use crate::doc::doc_text;
use crate::ty::is_builtin_spark_type;

/// A row struct, as the derive understands it.
pub struct RowInput {
    pub ident: syn::Ident,
    /// The struct's visibility, given to its builder and reader (which name it).
    pub vis: syn::Visibility,
    pub krate: Path,
    pub columns: Vec<Column>,
}

/// One field: one column.
pub struct Column {
    pub field: syn::Ident,
    pub ty: syn::Type,
    pub name: String,
    /// The `rename = "..."` literal, else the field.
    pub name_span: Span,
    pub comment: String,
}

pub fn derive(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut cx = Ctxt::new();
    let row = parse(&input, &mut cx);
    match cx.check() {
        Ok(()) => expand(&row),
        Err(errors) => {
            let errors = errors.to_compile_error();
            // A struct of named fields still gets its impls (the mistakes were in attributes),
            // so that its uses as a row add no errors of their own.
            let expandable = input.generics.params.is_empty()
                && matches!(&input.data, syn::Data::Struct(data) if matches!(data.fields, Fields::Named(_)));
            let impls = expandable.then(|| expand(&row));
            quote! { #impls #errors }
        }
    }
}

pub fn parse(input: &DeriveInput, cx: &mut Ctxt) -> RowInput {
    let mut krate = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("spark")) {
        let result = attr.parse_nested_meta(attr::each_key(cx, |meta| {
            if meta.path.is_ident("crate") {
                let path = attr::crate_path(meta)?;
                attr::set_once(meta, &mut krate, path)
            } else {
                Err(attr::unknown(
                    meta,
                    "`spark` attribute",
                    " on a row struct",
                    &["crate"],
                ))
            }
        }));
        if let Err(error) = result {
            cx.syn_error(error);
        }
    }
    if input
        .generics
        .params
        .iter()
        .all(|param| matches!(param, syn::GenericParam::Lifetime(_)))
        && !input.generics.params.is_empty()
    {
        cx.error_spanned_by(
            &input.generics,
            "a `Row` owns its values, so it cannot borrow: write `String` for `&str`, `Binary` \
             for `&[u8]`, and `Vec<T>` for `&[T]`",
        );
    } else if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "a `Row` cannot be generic: its columns must be fixed",
        );
    }
    let mut columns = Vec::new();
    match &input.data {
        syn::Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => {
                for (index, field) in fields.named.iter().enumerate() {
                    cx.set_section(index + 1);
                    columns.push(parse_column(field, cx));
                }
            }
            _ => cx.error_spanned_by(
                &input.ident,
                "a `Row` needs named fields: they name the columns",
            ),
        },
        syn::Data::Enum(data) => cx.error_spanned_by(
            data.enum_token,
            "`Row` can only be derived for a struct with named fields, one per column",
        ),
        syn::Data::Union(data) => cx.error_spanned_by(
            data.union_token,
            "`Row` can only be derived for a struct with named fields, one per column",
        ),
    }
    let mut seen = HashMap::new();
    for (index, column) in columns.iter().enumerate() {
        cx.set_section(index + 1);
        if let Some(first) = seen.insert(column.name.to_lowercase(), &column.field) {
            cx.error_at(
                column.name_span,
                format_args!(
                    "column `{}` collides with field `{first}`: Spark resolves column names ignoring \
                     case; rename one with `#[spark(rename = \"...\")]`",
                    column.name
                ),
            );
        }
    }
    cx.set_section(0);
    RowInput {
        ident: input.ident.clone(),
        vis: input.vis.clone(),
        krate: krate.unwrap_or_else(|| syn::parse_quote!(::datasource_py)),
        columns,
    }
}

fn parse_column(field: &syn::Field, cx: &mut Ctxt) -> Column {
    let ident = field.ident.clone().expect("named field");
    let mut rename: Option<LitStr> = None;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("spark")) {
        let result = attr.parse_nested_meta(attr::each_key(cx, |meta| {
            if meta.path.is_ident("rename") {
                let value = attr::string(meta, "rename = \"columnName\"")?;
                if value.value().is_empty() {
                    return Err(syn::Error::new_spanned(
                        value,
                        "a column name cannot be empty; remove `rename` to use the field's name",
                    ));
                }
                attr::set_once(meta, &mut rename, value)
            } else {
                Err(attr::unknown(
                    meta,
                    "`spark` attribute",
                    " on a row field",
                    &["rename"],
                ))
            }
        }));
        if let Err(error) = result {
            cx.syn_error(error);
        }
    }
    let (name, name_span) = match rename {
        Some(rename) => (rename.value(), rename.span()),
        None => (
            ident.to_string().trim_start_matches("r#").to_owned(),
            ident.span(),
        ),
    };
    Column {
        field: ident,
        ty: field.ty.clone(),
        name,
        name_span,
        comment: doc_text(&field.attrs),
    }
}

pub fn expand(row: &RowInput) -> TokenStream {
    let krate = &row.krate;
    let ident = &row.ident;
    let vis = &row.vis;
    let builder = format_ident!("__{}Columns", ident);
    let reader = format_ident!("__{}Values", ident);
    let fields: Vec<_> = row.columns.iter().map(|c| &c.field).collect();
    let types: Vec<_> = row.columns.iter().map(|c| &c.ty).collect();
    let column_names: Vec<_> = row.columns.iter().map(|c| &c.name).collect();
    let indices = 0..row.columns.len();
    let arrow_fields = row.columns.iter().map(|column| {
        let (name, comment, ty) = (&column.name, &column.comment, &column.ty);
        quote! { __ds::row_field::<#ty>(#name, #comment) }
    });
    // One check per type a field is made of (through `Vec`, `Option` and maps): an error then
    // points at the innermost type that has no Spark type (`char` in `Vec<char>`).
    let type_checks = types.iter().flat_map(|ty| {
        let mut checks = Vec::new();
        nested_types(ty, &mut checks);
        checks.into_iter().map(|ty| {
            quote_spanned! {ty.span()=> __ds::assert_spark_type::<#ty>(); }
        })
    });
    // Every generated item holds only when the field types are Spark types: a field type that
    // is not is then reported once, by its check above, instead of by every item that uses its
    // builder. (`for<'__row>` keeps the compiler from rejecting a bound on a concrete type
    // outright.) Types the SDK surely maps are left out, to keep the documented impls readable.
    let mut bounded = HashSet::new();
    let bounds: Vec<TokenStream> = types
        .iter()
        .filter(|ty| !is_builtin_spark_type(ty) && bounded.insert(quote!(#ty).to_string()))
        .map(|ty| quote_spanned! {ty.span()=> for<'__row> #ty: __ds::SparkType })
        .collect();
    let where_clause = (!bounds.is_empty()).then(|| quote! { where #(#bounds),* });

    quote! {
        #[doc(hidden)]
        #[allow(non_snake_case, non_camel_case_types, clippy::all)]
        const _: () = {
            use #krate::__private as __ds;

            const _: () = { #(#type_checks)* };

            /// One column builder per field, plus the struct's own validity.
            #vis struct #builder #where_clause {
                #(#fields: <#types as __ds::SparkType>::Builder,)*
                __validity: __ds::NullBufferBuilder,
            }

            #[automatically_derived]
            impl __ds::ColumnBuilder for #builder #where_clause {
                fn with_capacity(capacity: usize) -> Self {
                    #builder {
                        #(#fields: __ds::ColumnBuilder::with_capacity(capacity),)*
                        __validity: __ds::NullBufferBuilder::new(capacity),
                    }
                }
                fn append_null(&mut self) {
                    #(__ds::ColumnBuilder::append_null(&mut self.#fields);)*
                    self.__validity.append_null();
                }
                fn len(&self) -> usize {
                    self.__validity.len()
                }
                fn finish(&mut self) -> __ds::ArrayRef {
                    ::std::sync::Arc::new(__ds::StructColumnBuilder::finish_struct(self))
                }
            }

            #[automatically_derived]
            impl __ds::StructColumnBuilder for #builder #where_clause {
                fn finish_struct(&mut self) -> __ds::StructArray {
                    __ds::finish_struct_array(
                        <#ident as __ds::Row>::fields(),
                        ::std::vec![#(__ds::ColumnBuilder::finish(&mut self.#fields)),*],
                        &mut self.__validity,
                    )
                }
            }

            /// One column reader per field, plus the struct's own validity.
            #vis struct #reader #where_clause {
                #(#fields: <#types as __ds::SparkType>::Reader,)*
                __struct: __ds::StructValues,
            }

            #[automatically_derived]
            impl __ds::ColumnReader for #reader #where_clause {
                type Value = #ident;
                fn new(array: &__ds::ArrayRef) -> ::core::result::Result<Self, __ds::SchemaError> {
                    let __struct = __ds::StructValues::new(array, &<#ident as __ds::Row>::fields())?;
                    ::core::result::Result::Ok(#reader {
                        #(#fields: __struct.child(#indices, #column_names)?,)*
                        __struct,
                    })
                }
                fn is_null(&self, index: usize) -> bool {
                    self.__struct.is_null(index)
                }
                #[inline]
                fn value(&self, index: usize) -> #ident {
                    #ident {
                        #(#fields: __ds::ColumnReader::value(&self.#fields, index),)*
                    }
                }
            }

            #[automatically_derived]
            impl __ds::SparkType for #ident #where_clause {
                type Builder = #builder;
                type Reader = #reader;
                fn data_type() -> __ds::DataType {
                    __ds::DataType::Struct(<Self as __ds::Row>::fields())
                }
                #[inline]
                fn append_to(&self, builder: &mut #builder) {
                    #(__ds::SparkType::append_to(&self.#fields, &mut builder.#fields);)*
                    builder.__validity.append_non_null();
                }
            }

            #[automatically_derived]
            impl __ds::Row for #ident #where_clause {
                fn fields() -> __ds::Fields {
                    static FIELDS: ::std::sync::OnceLock<__ds::Fields> = ::std::sync::OnceLock::new();
                    FIELDS
                        .get_or_init(|| __ds::Fields::from(::std::vec![#(#arrow_fields),*]))
                        .clone()
                }
            }
        };
    }
}

/// The types a field's type is made of, through the wrappers the SDK maps generically (`Vec`,
/// `Option`, `BTreeMap`, `HashMap`): `char` for `Vec<char>`, `K` and `V` for a map. When they
/// all have a Spark type, so has the wrapper.
fn nested_types<'a>(ty: &'a syn::Type, out: &mut Vec<&'a syn::Type>) {
    if let syn::Type::Path(path) = ty
        && let Some(last) = path.path.segments.last()
        && ["Vec", "Option", "BTreeMap", "HashMap"].contains(&last.ident.to_string().as_str())
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && args
            .args
            .iter()
            .all(|arg| matches!(arg, syn::GenericArgument::Type(_)))
    {
        for arg in &args.args {
            if let syn::GenericArgument::Type(inner) = arg {
                nested_types(inner, out);
            }
        }
        return;
    }
    out.push(ty);
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn parse_ok(input: DeriveInput) -> RowInput {
        let mut cx = Ctxt::new();
        let row = parse(&input, &mut cx);
        cx.check().expect("valid row");
        row
    }

    fn errors(input: DeriveInput) -> Vec<String> {
        let mut cx = Ctxt::new();
        parse(&input, &mut cx);
        cx.check()
            .expect_err("invalid row")
            .into_iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn columns_take_field_names_renames_and_docs() {
        let row = parse_ok(parse_quote! {
            struct Person {
                /// The id.
                id: i64,
                #[spark(rename = "fullName")]
                name: String,
                r#type: String,
            }
        });
        let names: Vec<_> = row.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "fullName", "type"]);
        assert_eq!(row.columns[0].comment, "The id.");
    }

    #[test]
    fn reports_all_mistakes_together() {
        let errors = errors(parse_quote! {
            #[spark(krate = "x")]
            struct Bad<T> {
                #[spark(name = "x")]
                a: T,
                #[spark(rename = "B")]
                b_: i64,
                b: i64,
            }
        });
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].contains("unknown `spark` attribute `krate` on a row struct"));
        assert!(errors[1].contains("cannot be generic"));
        assert!(errors[2].contains("unknown `spark` attribute `name` on a row field"));
        assert!(errors[3].contains("column `b` collides with field `b_`"));
    }
}
